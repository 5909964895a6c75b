import { requireIdentity } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { setCustomerSpecialCare as command } from '../../commands/set-customer-special-care.ts';
import { assertCustomerInScope, customerAfterChange } from './errors.ts';

/** Replaces the special-care flags (and note); each change goes to the history. */
export const setCustomerSpecialCare: MutationResolvers['setCustomerSpecialCare'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  await assertCustomerInScope(ctx, input.customerId);
  const { userErrors } = await command(ctx, identity, input);
  if (userErrors.length) return { customer: null, userErrors };
  return { customer: await customerAfterChange(ctx, input.customerId), userErrors: [] };
};
