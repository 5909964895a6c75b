import type { EventHandler } from '@crm/events';
import { createPlannedTask } from '../commands/create-planned-task.ts';
import { findRelationshipManagerId } from '../db/customer-replica.store.ts';
import type { DB } from '../db/schema.ts';
import { riskWarningTask } from '../domain/tasks.ts';

/** The loan officer reviews the warning by its response deadline, with a priority from its severity. */
export const onRiskWarningRaised: EventHandler<DB, 'RiskWarningRaised'> = async (tx, event) => {
  const w = event.data;
  const assigneeId = w.officerId ?? (await findRelationshipManagerId(tx, w.customerId));
  const plan = riskWarningTask({
    customerId: w.customerId,
    loanId: w.loanId,
    warningId: w.warningId,
    ruleCode: w.ruleCode,
    severity: w.severity,
    assigneeId,
    dueAt: new Date(w.responseDueAt),
    escalated: false,
  });
  await createPlannedTask(tx, plan, { sourceEventId: event.id });
};
