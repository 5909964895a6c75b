import { emit } from '@crm/events';
import { requireIdentity, requireRole } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { lockCustomer, updateCustomer } from '../../db/customer.store.ts';
import { insertChanges } from '../../db/history.store.ts';
import { checkStatusTransition } from '../../domain/profile.ts';
import { customerNotFound } from './errors.ts';

export const changeCustomerStatus: MutationResolvers['changeCustomerStatus'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'loan_officer', 'branch_manager');
  const now = ctx.now();
  const reason = input.reason?.trim() || null;
  if (reason && reason.length > 500) return { customer: null, userErrors: [{ field: 'reason', message: 'must be at most 500 characters', code: 'TOO_BIG' }] };
  const errors = await ctx.db.transaction().execute(async (tx) => {
    const current = await lockCustomer(tx, input.customerId);
    if (!current) return [customerNotFound()];
    const refused = checkStatusTransition(current.status, input.status);
    if (refused) return [refused];
    await updateCustomer(tx, current.id, { status: input.status, updated_at: now });
    await insertChanges(tx, [
      {
        id: uuidv7(),
        customer_id: current.id,
        field: 'status',
        old_value: current.status,
        new_value: input.status,
        changed_by: identity.userId,
        changed_at: now,
      },
    ]);
    await emit(tx, 'CustomerStatusChanged', {
      subject: current.id,
      time: now,
      data: { customerId: current.id, previousStatus: current.status, status: input.status, reason, changedAt: now.toISOString() },
    });
    return [];
  });
  if (errors.length) return { customer: null, userErrors: errors };
  ctx.loaders.customer.clear(input.customerId);
  return { customer: await ctx.loaders.customer.load(input.customerId), userErrors: [] };
};
