import type { EventHandler } from '@crm/events';
import type { DB } from '../db/schema.ts';
import { insertSignalOnce } from '../db/value.store.ts';

/**
 * An overdue instalment weighs on the repayment record. End-of-day runs may report the same
 * instalment every day it stays overdue: it counts once (keyed by loan and instalment).
 */
export const onInstalmentOverdue: EventHandler<DB, 'InstalmentOverdue'> = async (tx, event) => {
  const e = event.data;
  await insertSignalOnce(tx, {
    event_id: `overdue:${e.loanId}:${e.instalmentNumber}`,
    customer_id: e.customerId,
    kind: 'INSTALMENT_OVERDUE',
    loan_id: e.loanId,
    amount: e.amountOverdue,
    occurred_on: e.asOf,
  });
};
