import { emit } from '@crm/events';
import { requireIdentity, runCommand, type UserError } from '@crm/service-kit';
import type { EngagementContext } from '../context.ts';
import { findInteractionOfCustomer } from '../db/interaction.store.ts';
import type { TaskRow } from '../db/schema.ts';
import { findTaskInScope, updateTaskIfStatus } from '../db/task.store.ts';
import { type RetentionOutcome, retentionOrigin } from '../domain/offers.ts';
import { auditedTask, staleTask } from './task-transition.ts';

/**
 * Records what a retention task achieved (SAVED, LOST, NOT_REACHED), once: an open or in-progress
 * task is completed by it (TaskCompleted, optionally with the interaction that did it), a DONE one
 * keeps its completion. Refused: a task of another type (NOT_A_RETENTION_TASK), a cancelled one
 * (INVALID_TASK_TRANSITION), a second outcome (OUTCOME_ALREADY_RECORDED). Emits
 * TaskOutcomeRecorded with what opened the task (grade at risk, tier downgrade, churn risk).
 */
export async function recordRetentionOutcome(
  ctx: EngagementContext,
  input: { taskId: string; outcome: RetentionOutcome; interactionId?: string | null },
): Promise<{ task: TaskRow | null; userErrors: UserError[] }> {
  const identity = requireIdentity(ctx);
  // Scope first, outside the transaction: a refusal is audited as FORBIDDEN.
  await findTaskInScope(ctx.db, ctx.scope, input.taskId);
  return runCommand(ctx, { action: 'recordRetentionOutcome', entityType: 'Task', entityId: input.taskId }, async (tx, audit) => {
    const fail = (field: string, code: string, message: string) => ({ task: null, userErrors: [{ field, code, message }] });
    const task = await tx.selectFrom('task').selectAll().where('id', '=', input.taskId).forUpdate().executeTakeFirst();
    if (!task) return fail('taskId', 'TASK_NOT_FOUND', `No task with id ${input.taskId}`);
    if (task.type !== 'RETENTION') return fail('taskId', 'NOT_A_RETENTION_TASK', `the task is a ${task.type} task: outcomes are recorded on RETENTION tasks`);
    if (task.status === 'CANCELLED') return fail('taskId', 'INVALID_TASK_TRANSITION', 'the task was cancelled');
    if (task.outcome !== null) return fail('outcome', 'OUTCOME_ALREADY_RECORDED', `the outcome ${task.outcome} was recorded already`);
    if (input.interactionId && !(await findInteractionOfCustomer(tx, input.interactionId, task.customer_id)))
      return fail('interactionId', 'INTERACTION_NOT_FOUND', 'No interaction with this id for the task’s customer');
    const now = ctx.now();
    let done = task;
    if (task.status === 'OPEN' || task.status === 'IN_PROGRESS') {
      const completed = await updateTaskIfStatus(tx, ctx.scope, task.id, task.status, {
        status: 'DONE',
        completed_at: now,
        completed_by: identity.userId,
        completed_interaction_id: input.interactionId ?? null,
      });
      if (!completed) return { task: null, userErrors: [staleTask] };
      done = completed;
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
    }
    const after = await tx
      .updateTable('task')
      .set({ outcome: input.outcome, outcome_recorded_by: identity.userId, outcome_recorded_at: now })
      .where('id', '=', task.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const origin = retentionOrigin(task.dedupe_key);
    await emit(tx, 'TaskOutcomeRecorded', {
      subject: task.customer_id,
      time: now,
      data: {
        taskId: task.id,
        customerId: task.customer_id,
        type: task.type,
        outcome: input.outcome,
        origin,
        recordedBy: identity.userId,
        recordedAt: now.toISOString(),
      },
    });
    audit.changes({ ...auditedTask(task), outcome: null }, { ...auditedTask(done), outcome: input.outcome });
    audit.detail({ origin });
    return { task: after, userErrors: [] };
  });
}
