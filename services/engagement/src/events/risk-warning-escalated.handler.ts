import type { EventHandler } from '@crm/events';
import { findRelationshipManagerId } from '../db/customer-replica.store.ts';
import type { DB } from '../db/schema.ts';
import { raiseOpenTaskPriority } from '../db/task.store.ts';
import { DAY_MS } from '../domain/dates.ts';
import { riskWarningTask } from '../domain/tasks.ts';
import { createPlannedTask } from './create-task.ts';

/** An escalated warning makes its open review task urgent; without one, an urgent review due within a day. */
export const onRiskWarningEscalated: EventHandler<DB, 'RiskWarningEscalated'> = async (tx, event) => {
  const w = event.data;
  if (await raiseOpenTaskPriority(tx, `RISK_WARNING:${w.warningId}`, 'URGENT')) return;
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
  await createPlannedTask(tx, plan, { sourceEventId: event.id });
};
