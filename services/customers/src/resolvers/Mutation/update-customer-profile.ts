import { requireIdentity } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { updateCustomerProfile as command, mayMoveOutOf, moveRefused } from '../../commands/update-customer-profile.ts';
import { customerAfterChange } from './errors.ts';

export const updateCustomerProfile: MutationResolvers['updateCustomerProfile'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  // FORBIDDEN before the command: outside the caller's scope, or a move out of a branch the caller does not manage.
  const current = await ctx.loaders.customer.load(input.customerId);
  const to = typeof input.branchId === 'string' ? input.branchId.trim() : null;
  if (current && to && to !== current.branch_id && !mayMoveOutOf(identity, current.branch_id)) throw moveRefused();
  const { userErrors, changes } = await command(ctx, identity, input);
  if (userErrors.length) return { customer: null, changes: [], userErrors };
  return { customer: await customerAfterChange(ctx, input.customerId), changes, userErrors: [] };
};
