import { emit } from '@crm/events';
import { requireIdentity, requireRole } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { lockCustomer, updateCustomer } from '../../db/customer.store.ts';
import { insertAssignment, insertChanges } from '../../db/history.store.ts';
import { customerNotFound } from './errors.ts';

export const assignRelationshipManager: MutationResolvers['assignRelationshipManager'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'branch_manager');
  const now = ctx.now();
  const managerId = input.managerId.trim();
  const reason = input.reason?.trim() || null;
  if (!managerId || managerId.length > 64)
    return { customer: null, userErrors: [{ field: 'managerId', message: 'must be 1 to 64 characters', code: 'INVALID_FORMAT' }] };
  if (reason && reason.length > 500) return { customer: null, userErrors: [{ field: 'reason', message: 'must be at most 500 characters', code: 'TOO_BIG' }] };
  const errors = await ctx.db.transaction().execute(async (tx) => {
    const current = await lockCustomer(tx, input.customerId);
    if (!current) return [customerNotFound()];
    if (current.relationship_manager_id === managerId)
      return [{ field: 'managerId', message: 'This manager already manages the customer', code: 'ALREADY_ASSIGNED' }];
    await updateCustomer(tx, current.id, { relationship_manager_id: managerId, updated_at: now });
    await insertAssignment(tx, {
      id: uuidv7(),
      customer_id: current.id,
      manager_id: managerId,
      previous_manager_id: current.relationship_manager_id,
      reason,
      assigned_by: identity.userId,
      assigned_at: now,
    });
    await insertChanges(tx, [
      {
        id: uuidv7(),
        customer_id: current.id,
        field: 'relationshipManagerId',
        old_value: current.relationship_manager_id,
        new_value: managerId,
        changed_by: identity.userId,
        changed_at: now,
      },
    ]);
    await emit(tx, 'RelationshipManagerAssigned', {
      subject: current.id,
      time: now,
      data: {
        customerId: current.id,
        relationshipManagerId: managerId,
        previousRelationshipManagerId: current.relationship_manager_id,
        branchId: current.branch_id,
        assignedAt: now.toISOString(),
      },
    });
    return [];
  });
  if (errors.length) return { customer: null, userErrors: errors };
  ctx.loaders.customer.clear(input.customerId);
  return { customer: await ctx.loaders.customer.load(input.customerId), userErrors: [] };
};
