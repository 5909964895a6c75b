import { emit } from '@crm/events';
import { type Identity, runCommand, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { CustomersContext } from '../context.ts';
import { lockCustomer, updateCustomer } from '../db/customer.store.ts';
import { insertAssignment, insertChanges } from '../db/history.store.ts';
import { customerNotFound } from './errors.ts';

export interface AssignRelationshipManager {
  customerId: string;
  managerId: string;
  reason?: string | null | undefined;
}

/** Assigns or reassigns the relationship manager, with assignment history, change history, event and audit. */
export function assignRelationshipManager(ctx: CustomersContext, identity: Identity, input: AssignRelationshipManager): Promise<{ userErrors: UserError[] }> {
  return runCommand(ctx, { action: 'assignRelationshipManager', entityType: 'Customer', entityId: input.customerId }, async (tx, audit) => {
    const now = ctx.now();
    const managerId = input.managerId.trim();
    const reason = input.reason?.trim() || null;
    if (!managerId || managerId.length > 64) return { userErrors: [{ field: 'managerId', message: 'must be 1 to 64 characters', code: 'INVALID_FORMAT' }] };
    if (reason && reason.length > 500) return { userErrors: [{ field: 'reason', message: 'must be at most 500 characters', code: 'TOO_BIG' }] };
    const current = await lockCustomer(tx, ctx.scope, input.customerId);
    if (!current) return { userErrors: [customerNotFound()] };
    if (current.relationship_manager_id === managerId)
      return { userErrors: [{ field: 'managerId', message: 'This manager already manages the customer', code: 'ALREADY_ASSIGNED' }] };
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
    audit.changes({ relationshipManagerId: current.relationship_manager_id }, { relationshipManagerId: managerId });
    return { userErrors: [] };
  });
}
