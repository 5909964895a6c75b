import type { EventHandler } from '@crm/events';
import { reverseRepaymentSignals } from '../commands/reverse-repayment-signals.ts';
import type { DB } from '../db/schema.ts';

export const onRepaymentReversed: EventHandler<DB, 'RepaymentReversed'> = async (tx, event) => {
  const e = event.data;
  await reverseRepaymentSignals(tx, {
    sourceEventId: event.id,
    customerId: e.customerId,
    loanId: e.loanId,
    repaymentId: e.repaymentId,
    amount: e.amount,
    instalmentNumbers: e.instalmentNumbers,
    reversedOn: e.reversedAt.slice(0, 10),
    loanReopened: e.loanReopened ?? false,
  });
};
