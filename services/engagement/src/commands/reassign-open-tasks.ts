import { emitMany } from '@crm/events';
import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { reassignOpenTasks as reassign } from '../db/task.store.ts';

/**
 * Tasks follow the relationship manager, in the caller's transaction: the open tasks held by the
 * previous manager (or by nobody) move to the new one; tasks given to someone else stay. Each
 * moved task emits TaskReassigned.
 */
export async function reassignOpenTasks(
  tx: Transaction<DB>,
  input: { customerId: string; previousManagerId: string | null; managerId: string; at?: Date },
): Promise<number> {
  const moved = await reassign(tx, input.customerId, input.previousManagerId, input.managerId);
  const at = input.at ?? new Date();
  await emitMany(
    tx,
    moved.map((t) => ({
      name: 'TaskReassigned' as const,
      subject: input.customerId,
      data: {
        taskId: t.id,
        customerId: input.customerId,
        type: t.type,
        previousAssigneeId: t.previousAssigneeId,
        assigneeId: input.managerId,
        reason: 'RELATIONSHIP_MANAGER_CHANGED' as const,
        reassignedAt: at.toISOString(),
      },
    })),
    at,
  );
  return moved.length;
}
