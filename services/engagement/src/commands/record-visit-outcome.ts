import { emit } from '@crm/events';
import { requireIdentity, runCommand, type UserError } from '@crm/service-kit';
import type { RecordVisitOutcomeInput } from '../__generated__/resolvers-types.ts';
import type { EngagementContext } from '../context.ts';
import { findInteractionOfCustomer } from '../db/interaction.store.ts';
import { findLoanReplica, insertVisitOutcome, recordLastMonitoring } from '../db/monitoring.store.ts';
import type { TaskRow } from '../db/schema.ts';
import { updateTaskIfStatus } from '../db/task.store.ts';
import { validateVisitOutcome } from '../domain/monitoring.ts';
import { auditedTask, loadTaskFor, staleTask } from './task-transition.ts';

export type VisitOutcomeResult = { task: TaskRow | null; userErrors: UserError[] };

/**
 * Records the outcome of a post-loan visit on its task (an open or in-progress POST_LOAN_VISIT of
 * a loan) and completes the task, in one transaction: the outcome row, the task DONE (with the
 * visit's interaction when given), the loan's last visit (the next one counts from it), the audit
 * record (the note left out), TaskCompleted and VisitOutcomeRecorded; credit feeds the latter into
 * its fund-use and early-warning rules. A task outside the caller's scope is FORBIDDEN.
 */
export async function recordVisitOutcome(ctx: EngagementContext, input: RecordVisitOutcomeInput): Promise<VisitOutcomeResult> {
  const identity = requireIdentity(ctx);
  // Scope first, outside the transaction: a refusal is audited as FORBIDDEN by the access layer.
  const loaded = await loadTaskFor(ctx.db, ctx.scope, input.taskId, 'DONE');
  const now = ctx.now();
  const validation = validateVisitOutcome(input, now);
  return runCommand(ctx, { action: 'recordVisitOutcome', entityType: 'Task', entityId: input.taskId }, async (tx, audit): Promise<VisitOutcomeResult> => {
    if (!loaded.task) return { task: null, userErrors: [loaded.error] };
    if (!validation.ok) return { task: null, userErrors: validation.errors };
    const open = loaded.task;
    const loanId = open.loan_id;
    if (open.type !== 'POST_LOAN_VISIT' || !loanId)
      return {
        task: null,
        userErrors: [{ field: 'taskId', code: 'NOT_A_VISIT_TASK', message: 'Only a post-loan visit task of a loan takes a visit outcome' }],
      };
    const v = validation.value;
    const loan = await findLoanReplica(tx, loanId);
    if (loan?.disbursed_on && v.visitedOn < loan.disbursed_on)
      return { task: null, userErrors: [{ field: 'visitedOn', code: 'BEFORE_DISBURSEMENT', message: `the loan was disbursed on ${loan.disbursed_on}` }] };
    if (input.interactionId && !(await findInteractionOfCustomer(tx, input.interactionId, open.customer_id)))
      return {
        task: null,
        userErrors: [{ field: 'interactionId', code: 'INTERACTION_NOT_FOUND', message: 'No interaction with this id for the task’s customer' }],
      };
    const task = await updateTaskIfStatus(tx, ctx.scope, open.id, open.status, {
      status: 'DONE',
      completed_at: now,
      completed_by: identity.userId,
      completed_interaction_id: input.interactionId ?? null,
    });
    if (!task) return { task: null, userErrors: [staleTask] };
    await insertVisitOutcome(tx, { taskId: task.id, loanId, customerId: task.customer_id, ...v, recordedBy: identity.userId, recordedAt: now });
    await recordLastMonitoring(tx, loanId, 'VISIT', v.visitedOn);
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
    await emit(tx, 'VisitOutcomeRecorded', {
      subject: task.customer_id,
      time: now,
      data: {
        taskId: task.id,
        customerId: task.customer_id,
        loanId,
        visitedOn: v.visitedOn,
        customerMet: v.customerMet,
        businessOperating: v.businessOperating,
        fundUseAsDeclared: v.fundUseAsDeclared,
        concerns: v.concerns,
        recordedBy: identity.userId,
        recordedAt: now.toISOString(),
      },
    });
    audit.changes(auditedTask(open), auditedTask(task));
    audit.detail({
      loanId,
      visitedOn: v.visitedOn,
      customerMet: v.customerMet,
      businessOperating: v.businessOperating,
      fundUseAsDeclared: v.fundUseAsDeclared,
      concerns: v.concerns,
    });
    return { task, userErrors: [] };
  });
}
