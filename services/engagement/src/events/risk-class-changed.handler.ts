import type { EventHandler } from '@crm/events';
import { rescheduleMonitoring } from '../commands/reschedule-monitoring.ts';
import type { DB } from '../db/schema.ts';

/** A loan's risk class changed: its open planned visit and review move to the new class's cadence. */
export const onRiskClassChanged: EventHandler<DB, 'RiskClassChanged'> = async (tx, event) => {
  const r = event.data;
  await rescheduleMonitoring(tx, { loanId: r.loanId, riskClass: r.riskClass, changedOn: r.asOf, at: new Date(event.time) });
};
