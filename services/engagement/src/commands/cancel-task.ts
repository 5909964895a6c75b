import { emit } from '@crm/events';
import { runCommand } from '@crm/service-kit';
import type { EngagementContext } from '../context.ts';
import { updateTaskIfStatus } from '../db/task.store.ts';
import { auditedTask, loadTaskFor, staleTask, type TaskResult } from './task-transition.ts';

/** Cancels an open or in-progress task of a customer in the caller's scope, with a reason. */
export async function cancelTask(ctx: EngagementContext, input: { taskId: string; reason: string }): Promise<TaskResult> {
  const reason = input.reason.trim();
  // Scope first, outside the transaction: a refusal is audited as FORBIDDEN by the access layer.
  const loaded = await loadTaskFor(ctx.db, ctx.scope, input.taskId, 'CANCELLED');
  return runCommand(ctx, { action: 'cancelTask', entityType: 'Task', entityId: input.taskId }, async (tx, audit) => {
    if (!reason) return { task: null, userErrors: [{ field: 'reason', code: 'TOO_SMALL', message: 'must not be blank' }] };
    if (!loaded.task) return { task: null, userErrors: [loaded.error] };
    const task = await updateTaskIfStatus(tx, ctx.scope, loaded.task.id, loaded.task.status, {
      status: 'CANCELLED',
      cancelled_at: ctx.now(),
      cancel_reason: reason.slice(0, 1000),
    });
    if (!task) return { task: null, userErrors: [staleTask] };
    audit.changes(auditedTask(loaded.task), auditedTask(task));
    const cancelledAt = task.cancelled_at ?? ctx.now();
    const previousStatus = loaded.task.status;
    if (previousStatus === 'OPEN' || previousStatus === 'IN_PROGRESS') {
      await emit(tx, 'TaskCancelled', {
        subject: task.customer_id,
        time: cancelledAt,
        data: {
          taskId: task.id,
          customerId: task.customer_id,
          type: task.type,
          previousStatus,
          cancelledBy: ctx.identity?.userId ?? 'unknown',
          cancelledAt: cancelledAt.toISOString(),
        },
      });
    }
    return { task, userErrors: [] };
  });
}
