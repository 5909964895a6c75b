import { requireIdentity } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { setCustomerConsent as command } from '../../commands/set-customer-consent.ts';
import { toConsentState } from '../../db/consent.store.ts';
import { assertCustomerInScope, customerAfterChange } from './errors.ts';

/** Records the customer's answer for one purpose; the payload shows the standing answer. */
export const setCustomerConsent: MutationResolvers['setCustomerConsent'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  await assertCustomerInScope(ctx, input.customerId);
  const { userErrors, row } = await command(ctx, identity, input);
  if (userErrors.length || !row) return { consent: null, customer: null, userErrors };
  return { consent: toConsentState(row), customer: await customerAfterChange(ctx, input.customerId), userErrors: [] };
};
