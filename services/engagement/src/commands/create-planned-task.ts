import { emit } from '@crm/events';
import type { Transaction } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { DB } from '../db/schema.ts';
import { insertTaskOnce } from '../db/task.store.ts';
import type { TaskPlan } from '../domain/tasks.ts';
import { shapeTaskPlan, type TaskShaping } from './shape-task-plan.ts';

/**
 * Creates a planned task and emits TaskCreated in the caller's transaction, unless the same
 * event (or the same business fact, by dedupe key) already created it. Returns the new id or null.
 * The customer's service level and the contact rules shape its priority and due time first
 * (`shapeTaskPlan`; `meta.shaping`: `planned` by default, `manual` for tasks made by hand, `at`:
 * when it is planned, now by default).
 */
export async function createPlannedTask(
  tx: Transaction<DB>,
  planned: TaskPlan,
  meta: { sourceEventId: string | null; createdBy?: string | null; idempotencyKey?: string | null; at?: Date; shaping?: TaskShaping },
): Promise<string | null> {
  const id = uuidv7();
  const shaped = await shapeTaskPlan(tx, planned, { at: meta.at ?? new Date(), shaping: meta.shaping ?? 'planned' });
  const plan = shaped.plan;
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
    planning: shaped.planning ? JSON.stringify(shaped.planning) : null,
    cadence: plan.cadence ?? null,
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
