import { requireIdentity, requireRole } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { lockCustomer, updateCustomer } from '../../db/customer.store.ts';
import { insertChanges } from '../../db/history.store.ts';
import { customerNotFound } from './errors.ts';

export const markCustomerProfileReviewed: MutationResolvers['markCustomerProfileReviewed'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'loan_officer', 'branch_manager');
  const now = ctx.now();
  const found = await ctx.db.transaction().execute(async (tx) => {
    const current = await lockCustomer(tx, input.customerId);
    if (!current) return false;
    await updateCustomer(tx, current.id, { reviewed_at: now, updated_at: now });
    await insertChanges(tx, [
      {
        id: uuidv7(),
        customer_id: current.id,
        field: 'reviewedAt',
        old_value: current.reviewed_at ? new Date(current.reviewed_at).toISOString() : null,
        new_value: now.toISOString(),
        changed_by: identity.userId,
        changed_at: now,
      },
    ]);
    return true;
  });
  if (!found) return { customer: null, userErrors: [customerNotFound()] };
  ctx.loaders.customer.clear(input.customerId);
  return { customer: await ctx.loaders.customer.load(input.customerId), userErrors: [] };
};
