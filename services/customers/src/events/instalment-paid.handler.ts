import type { EventHandler } from '@crm/events';
import { recordInstalmentPaid } from '../commands/record-instalment-paid.ts';
import type { DB } from '../db/schema.ts';

export const onInstalmentPaid: EventHandler<DB, 'InstalmentPaid'> = async (tx, event) => {
  const e = event.data;
  await recordInstalmentPaid(tx, {
    sourceEventId: event.id,
    customerId: e.customerId,
    loanId: e.loanId,
    instalmentNumber: e.instalmentNumber,
    repaymentId: e.repaymentId,
    amountPaid: e.amountPaid,
    // Null in events published before credit carried the split (the schema defaults them).
    interestPaid: e.interestPaid,
    penaltyPaid: e.penaltyPaid,
    onTime: e.onTime,
    paidOn: e.paidOn,
  });
};
