import type { EventHandler } from '@crm/events';
import type { DB } from '../db/schema.ts';
import { insertSignalOnce } from '../db/value.store.ts';

/**
 * A paid instalment feeds the contribution (its interest and penalty parts, or its total for
 * events without the split) and the repayment record (once per event).
 */
export const onInstalmentPaid: EventHandler<DB, 'InstalmentPaid'> = async (tx, event) => {
  const e = event.data;
  await insertSignalOnce(tx, {
    event_id: event.id,
    customer_id: e.customerId,
    kind: 'INSTALMENT_PAID',
    loan_id: e.loanId,
    amount: e.amountPaid,
    // Null in events published before credit carried the split (the schema defaults them).
    interest_paid: e.interestPaid,
    penalty_paid: e.penaltyPaid,
    on_time: e.onTime,
    occurred_on: e.paidOn,
  });
};
