import type { Scope, UserError } from '@crm/service-kit';
import type { Kysely } from 'kysely';
import type { DB, TaskRow, TaskStatus } from '../db/schema.ts';
import { findTaskInScope } from '../db/task.store.ts';
import { checkTaskTransition } from '../domain/tasks.ts';

/**
 * Loads a task and checks that it may move to `to`: the shared first half of start, complete and
 * cancel. FORBIDDEN (thrown) when the task's customer is outside the caller's scope.
 */
export async function loadTaskFor(
  db: Kysely<DB>,
  scope: Scope,
  taskId: string,
  to: TaskStatus,
): Promise<{ task: TaskRow; error: null } | { task: null; error: UserError }> {
  const task = await findTaskInScope(db, scope, taskId);
  if (!task) return { task: null, error: { field: 'taskId', code: 'TASK_NOT_FOUND', message: `No task with id ${taskId}` } };
  const error = checkTaskTransition(task.status, to);
  return error ? { task: null, error } : { task, error: null };
}

export const staleTask: UserError = { field: 'taskId', code: 'TASK_CHANGED', message: 'The task changed meanwhile; reload it and try again' };

/** The audited fields of a task (free text such as the cancel reason stays out of the audit record). */
export const auditedTask = (t: TaskRow) => ({
  status: t.status,
  startedAt: t.started_at,
  completedAt: t.completed_at,
  completedBy: t.completed_by,
  completedInteractionId: t.completed_interaction_id,
  cancelledAt: t.cancelled_at,
});

export type TaskResult = { task: TaskRow | null; userErrors: UserError[] };
