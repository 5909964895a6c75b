import { emit } from '@crm/events';
import { requireIdentity, runCommand } from '@crm/service-kit';
import type { EngagementContext } from '../context.ts';
import { findInteractionOfCustomer } from '../db/interaction.store.ts';
import { updateTaskIfStatus } from '../db/task.store.ts';
import { completionRefusal } from '../domain/monitoring.ts';
import { auditedTask, loadTaskFor, staleTask, type TaskResult } from './task-transition.ts';

/** Completes an open or in-progress task, optionally with the interaction that did it. Emits TaskCompleted. */
export async function completeTask(ctx: EngagementContext, input: { taskId: string; interactionId?: string | null }): Promise<TaskResult> {
  const identity = requireIdentity(ctx);
  // Scope first, outside the transaction: a refusal is audited as FORBIDDEN by the access layer.
  const loaded = await loadTaskFor(ctx.db, ctx.scope, input.taskId, 'DONE');
  return runCommand(ctx, { action: 'completeTask', entityType: 'Task', entityId: input.taskId }, async (tx, audit) => {
    if (!loaded.task) return { task: null, userErrors: [loaded.error] };
    const open = loaded.task;
    // visits and planned reviews are completed with their outcome (issue 15)
    const refusal = completionRefusal({ type: open.type, loanId: open.loan_id, cadence: open.cadence });
    if (refusal) return { task: null, userErrors: [refusal] };
    if (input.interactionId && !(await findInteractionOfCustomer(tx, input.interactionId, open.customer_id))) {
      return {
        task: null,
        userErrors: [{ field: 'interactionId', code: 'INTERACTION_NOT_FOUND', message: 'No interaction with this id for the task’s customer' }],
      };
    }
    const now = ctx.now();
    const task = await updateTaskIfStatus(tx, ctx.scope, open.id, open.status, {
      status: 'DONE',
      completed_at: now,
      completed_by: identity.userId,
      completed_interaction_id: input.interactionId ?? null,
    });
    if (!task) return { task: null, userErrors: [staleTask] };
    await emit(tx, 'TaskCompleted', {
      subject: task.customer_id,
      time: now,
      data: {
        taskId: task.id,
        customerId: task.customer_id,
        type: task.type,
        completedBy: identity.userId,
        interactionId: input.interactionId ?? null,
        completedAt: now.toISOString(),
      },
    });
    audit.changes(auditedTask(open), auditedTask(task));
    return { task, userErrors: [] };
  });
}
