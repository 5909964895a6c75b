import { emit } from '@crm/events';
import { runCommand } from '@crm/service-kit';
import type { EngagementContext } from '../context.ts';
import { updateTaskIfStatus } from '../db/task.store.ts';
import { auditedTask, loadTaskFor, staleTask, type TaskResult } from './task-transition.ts';

/** Starts work on an open task of a customer in the caller's scope. */
export async function startTask(ctx: EngagementContext, input: { taskId: string }): Promise<TaskResult> {
  // Scope first, outside the transaction: a refusal is audited as FORBIDDEN by the access layer.
  const loaded = await loadTaskFor(ctx.db, ctx.scope, input.taskId, 'IN_PROGRESS');
  return runCommand(ctx, { action: 'startTask', entityType: 'Task', entityId: input.taskId }, async (tx, audit) => {
    if (!loaded.task) return { task: null, userErrors: [loaded.error] };
    const task = await updateTaskIfStatus(tx, ctx.scope, loaded.task.id, loaded.task.status, { status: 'IN_PROGRESS', started_at: ctx.now() });
    if (!task) return { task: null, userErrors: [staleTask] };
    audit.changes(auditedTask(loaded.task), auditedTask(task));
    const startedAt = task.started_at ?? ctx.now();
    await emit(tx, 'TaskStarted', {
      subject: task.customer_id,
      time: startedAt,
      data: {
        taskId: task.id,
        customerId: task.customer_id,
        type: task.type,
        assigneeId: task.assignee_id,
        startedBy: ctx.identity?.userId ?? 'unknown',
        startedAt: startedAt.toISOString(),
      },
    });
    return { task, userErrors: [] };
  });
}
