import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { insertSignalOnce } from '../db/value.store.ts';

export interface InstalmentOverdueSignal {
  customerId: string;
  loanId: string;
  instalmentNumber: number;
  amountOverdue: string;
  asOf: string;
}

/**
 * An overdue instalment weighs on the repayment record. End-of-day runs may report the same
 * instalment every day it stays overdue: it counts once (keyed by loan and instalment).
 */
export async function recordInstalmentOverdue(tx: Transaction<DB>, overdue: InstalmentOverdueSignal): Promise<boolean> {
  return insertSignalOnce(tx, {
    event_id: `overdue:${overdue.loanId}:${overdue.instalmentNumber}`,
    business_key: `INSTALMENT_OVERDUE:${overdue.loanId}:${overdue.instalmentNumber}`,
    customer_id: overdue.customerId,
    kind: 'INSTALMENT_OVERDUE',
    loan_id: overdue.loanId,
    instalment_number: overdue.instalmentNumber,
    amount: overdue.amountOverdue,
    occurred_on: overdue.asOf,
  });
}
