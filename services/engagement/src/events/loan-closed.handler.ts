import type { EventHandler } from '@crm/events';
import { createPlannedTask } from '../commands/create-planned-task.ts';
import { endMonitoring } from '../commands/end-monitoring.ts';
import { findRelationshipManagerId } from '../db/customer-replica.store.ts';
import { recordLoanClosed } from '../db/loan-replica.store.ts';
import { recordLoanRepaidOnTime } from '../db/offer.store.ts';
import type { DB } from '../db/schema.ts';
import { renewalTask } from '../domain/tasks.ts';

/**
 * A closed loan with no renewal is a churn signal (scored by the churn-scoring run); a loan repaid
 * on time and in full gets a renewal call from the relationship manager.
 */
export const onLoanClosed: EventHandler<DB, 'LoanClosed'> = async (tx, event) => {
  const l = event.data;
  await recordLoanClosed(tx, { loanId: l.loanId, customerId: l.customerId, closedOn: l.closedOn, status: 'CLOSED', at: new Date(event.time) });
  // the repayment record offer rules read (issue 15)
  await recordLoanRepaidOnTime(tx, l.loanId, l.repaidOnTimeInFull);
  // its planned visits and reviews end with it (issue 15)
  await endMonitoring(tx, { loanId: l.loanId, at: new Date(event.time) });
  if (!l.repaidOnTimeInFull) return;
  const assigneeId = await findRelationshipManagerId(tx, l.customerId);
  await createPlannedTask(tx, renewalTask({ customerId: l.customerId, loanId: l.loanId, closedOn: l.closedOn, assigneeId }), { sourceEventId: event.id });
};
