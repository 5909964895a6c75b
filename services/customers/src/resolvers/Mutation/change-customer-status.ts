import { requireIdentity } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { changeCustomerStatus as command } from '../../commands/change-customer-status.ts';
import { assertCustomerInScope, customerAfterChange } from './errors.ts';

export const changeCustomerStatus: MutationResolvers['changeCustomerStatus'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  await assertCustomerInScope(ctx, input.customerId);
  const { userErrors } = await command(ctx, identity, input);
  if (userErrors.length) return { customer: null, userErrors };
  return { customer: await customerAfterChange(ctx, input.customerId), userErrors: [] };
};
