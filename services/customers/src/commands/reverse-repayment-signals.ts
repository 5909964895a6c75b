import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { insertSignalOnce, reopenLoan, reverseInstalmentPaidSignals } from '../db/value.store.ts';

export interface RepaymentReversal {
  sourceEventId: string;
  customerId: string;
  loanId: string;
  repaymentId: string;
  amount: string;
  /** Instalments the reversal left unpaid again. */
  instalmentNumbers: readonly number[];
  reversedOn: string;
  /** The loan had closed and is active again. */
  loanReopened: boolean;
}

/**
 * Undoes what a reversed repayment did to the value score inputs, once per reversed repayment
 * (the same reversal under another event id does nothing): the
 * INSTALMENT_PAID signals of the instalments unpaid again stop counting from the reversal's date
 * (their interest and penalty parts, or total when reported without the split, their paid and
 * on-time counts), and a
 * reopened loan counts in the balances and products held again (LoanClosed undone). When the
 * instalments are paid again, credit's new InstalmentPaid events count them afresh.
 *
 * Whole instalments are undone rather than the event's interestUnpaid / penaltyUnpaid: this
 * service counts an instalment only once fully paid (InstalmentPaid carries its parts over every
 * repayment that paid it), so the parts of instalments the reversal left partly paid were never
 * counted. Signals recorded before instalment numbers were kept cannot be matched and stay.
 */
export async function reverseRepaymentSignals(tx: Transaction<DB>, r: RepaymentReversal): Promise<{ undone: number } | null> {
  const first = await insertSignalOnce(tx, {
    event_id: r.sourceEventId,
    business_key: `REPAYMENT_REVERSED:${r.repaymentId}`,
    customer_id: r.customerId,
    kind: 'REPAYMENT_REVERSED',
    loan_id: r.loanId,
    amount: r.amount,
    label: r.repaymentId,
    occurred_on: r.reversedOn,
  });
  if (!first) return null;
  const undone = await reverseInstalmentPaidSignals(tx, {
    customerId: r.customerId,
    loanId: r.loanId,
    instalmentNumbers: r.instalmentNumbers,
    reversedBy: r.sourceEventId,
    reversedOn: r.reversedOn,
  });
  if (r.loanReopened) await reopenLoan(tx, r.loanId);
  return { undone };
}
