import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { insertSignalOnce } from '../db/value.store.ts';

export interface InstalmentPaidSignal {
  sourceEventId: string;
  customerId: string;
  loanId: string;
  instalmentNumber: number;
  amountPaid: string;
  /** The instalment's interest and penalty parts as credit allocated them; null from events without the split. */
  interestPaid: string | null;
  penaltyPaid: string | null;
  onTime: boolean;
  paidOn: string;
}

/**
 * A paid instalment feeds the contribution (its interest and penalty parts, or its total for
 * events without the split) and the repayment record, once per event. The instalment number is
 * kept so that a RepaymentReversed can undo it (reverse-repayment-signals.ts).
 */
export async function recordInstalmentPaid(tx: Transaction<DB>, paid: InstalmentPaidSignal): Promise<boolean> {
  return insertSignalOnce(tx, {
    event_id: paid.sourceEventId,
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
