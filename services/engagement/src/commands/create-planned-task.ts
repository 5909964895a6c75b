import { emit } from '@crm/events';
import type { Transaction } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { DB } from '../db/schema.ts';
import { insertTaskOnce } from '../db/task.store.ts';
import type { TaskPlan } from '../domain/tasks.ts';

/**
 * Creates a planned task and emits TaskCreated in the caller's transaction, unless the same
 * event (or the same business fact, by dedupe key) already created it. Returns the new id or null.
 */
export async function createPlannedTask(
  tx: Transaction<DB>,
  plan: TaskPlan,
  meta: { sourceEventId: string | null; createdBy?: string | null; idempotencyKey?: string | null },
): Promise<string | null> {
  const id = uuidv7();
  const created = await insertTaskOnce(tx, {
    id,
    customer_id: plan.customerId,
    type: plan.type,
    title: plan.title,
    description: plan.description ?? null,
    assignee_id: plan.assigneeId,
    priority: plan.priority,
    status: 'OPEN',
    due_at: plan.dueAt,
    source_event_id: meta.sourceEventId,
    dedupe_key: plan.dedupeKey ?? null,
    loan_id: plan.loanId ?? null,
    created_by: meta.createdBy ?? null,
    idempotency_key: meta.idempotencyKey ?? null,
    completed_interaction_id: null,
  });
  if (!created) return null;
  await emit(tx, 'TaskCreated', {
    subject: plan.customerId,
    data: {
      taskId: id,
      customerId: plan.customerId,
      type: plan.type,
      assigneeId: plan.assigneeId,
      priority: plan.priority,
      dueAt: plan.dueAt.toISOString(),
      sourceEventId: meta.sourceEventId,
    },
  });
  return id;
}
