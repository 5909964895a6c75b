import type { EventHandler } from '@crm/events';
import { recordLoanClosed } from '../db/loan-replica.store.ts';
import type { DB } from '../db/schema.ts';

/** A closed loan with no renewal is a churn signal (scored by the churn-scoring run). */
export const onLoanClosed: EventHandler<DB, 'LoanClosed'> = async (tx, event) => {
  const l = event.data;
  await recordLoanClosed(tx, { loanId: l.loanId, customerId: l.customerId, closedOn: l.closedOn, status: 'CLOSED', at: new Date(event.time) });
};
