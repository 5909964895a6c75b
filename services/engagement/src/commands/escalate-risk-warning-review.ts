import { type EventInput, emit } from '@crm/events';
import { DAY_MS } from '@crm/service-kit';
import type { Transaction } from 'kysely';
import { findRelationshipManagerId } from '../db/customer-replica.store.ts';
import type { DB } from '../db/schema.ts';
import { raiseOpenTaskPriority } from '../db/task.store.ts';
import { riskWarningTask } from '../domain/tasks.ts';
import { createPlannedTask } from './create-planned-task.ts';

/**
 * An escalated risk warning, in the caller's transaction: its open review task becomes urgent
 * (TaskPriorityChanged);
 * without one, an urgent review due within a day (once per warning).
 */
export async function escalateRiskWarningReview(tx: Transaction<DB>, w: EventInput<'RiskWarningEscalated'>, sourceEventId: string): Promise<void> {
  const open = await raiseOpenTaskPriority(tx, `RISK_WARNING:${w.warningId}`, 'URGENT');
  if (open) {
    if (open.previousPriority !== 'URGENT') {
      await emit(tx, 'TaskPriorityChanged', {
        subject: open.customerId,
        data: {
          taskId: open.id,
          customerId: open.customerId,
          type: open.type,
          previousPriority: open.previousPriority,
          priority: 'URGENT',
          reason: 'RISK_WARNING_ESCALATED',
          changedAt: w.escalatedAt,
        },
      });
    }
    return;
  }
  const assigneeId = w.officerId ?? (await findRelationshipManagerId(tx, w.customerId));
  const plan = riskWarningTask({
    customerId: w.customerId,
    loanId: w.loanId,
    warningId: w.warningId,
    ruleCode: w.ruleCode,
    severity: w.severity,
    assigneeId,
    dueAt: new Date(new Date(w.escalatedAt).getTime() + DAY_MS),
    escalated: true,
  });
  await createPlannedTask(tx, plan, { sourceEventId });
}
