import type { UserError } from '@crm/service-kit';
import type { EngagementContext } from '../../context.ts';
import type { TaskRow, TaskStatus } from '../../db/schema.ts';
import { findTasksByIds } from '../../db/task.store.ts';
import { checkTaskTransition } from '../../domain/tasks.ts';

/** Loads a task and checks that it may move to `to`: the shared first half of start, complete and cancel. */
export async function loadTaskFor(
  ctx: EngagementContext,
  taskId: string,
  to: TaskStatus,
): Promise<{ task: TaskRow; error: null } | { task: null; error: UserError }> {
  const [task] = await findTasksByIds(ctx.db, [taskId]);
  if (!task) return { task: null, error: { field: 'taskId', code: 'TASK_NOT_FOUND', message: `No task with id ${taskId}` } };
  const error = checkTaskTransition(task.status, to);
  return error ? { task: null, error } : { task, error: null };
}

export const staleTask: UserError = { field: 'taskId', code: 'TASK_CHANGED', message: 'The task changed meanwhile; reload it and try again' };
