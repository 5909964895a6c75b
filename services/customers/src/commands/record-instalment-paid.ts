import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { insertSignalOnce } from '../db/value.store.ts';

export interface InstalmentPaidSignal {
  sourceEventId: string;
  customerId: string;
  loanId: string;
  instalmentNumber: number;
  /** The repayment that completed the instalment (what tells a payment after a reversal from the one reversed). */
  repaymentId: string;
  amountPaid: string;
  /** The instalment's interest and penalty parts as credit allocated them; null from events without the split. */
  interestPaid: string | null;
  penaltyPaid: string | null;
  onTime: boolean;
  paidOn: string;
}

/**
 * A paid instalment feeds the contribution (its interest and penalty parts, or its total for
 * events without the split) and the repayment record, once per fact: the loan, the instalment
 * and the repayment that completed it (the same fact under another event id adds nothing). The
 * instalment number is kept so that a RepaymentReversed can undo it (reverse-repayment-signals.ts);
 * the reversal retires the key, so the instalment paid again counts afresh.
 */
export async function recordInstalmentPaid(tx: Transaction<DB>, paid: InstalmentPaidSignal): Promise<boolean> {
  return insertSignalOnce(tx, {
    event_id: paid.sourceEventId,
    business_key: `INSTALMENT_PAID:${paid.loanId}:${paid.instalmentNumber}:${paid.repaymentId}`,
    customer_id: paid.customerId,
    kind: 'INSTALMENT_PAID',
    loan_id: paid.loanId,
    instalment_number: paid.instalmentNumber,
    amount: paid.amountPaid,
    interest_paid: paid.interestPaid,
    penalty_paid: paid.penaltyPaid,
    on_time: paid.onTime,
    occurred_on: paid.paidOn,
  });
}
