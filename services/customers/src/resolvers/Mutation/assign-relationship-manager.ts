import { requireIdentity } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { assignRelationshipManager as command } from '../../commands/assign-relationship-manager.ts';
import { assertCustomerInScope, customerAfterChange } from './errors.ts';

export const assignRelationshipManager: MutationResolvers['assignRelationshipManager'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  await assertCustomerInScope(ctx, input.customerId);
  const { userErrors } = await command(ctx, identity, input);
  if (userErrors.length) return { customer: null, userErrors };
  return { customer: await customerAfterChange(ctx, input.customerId), userErrors: [] };
};
