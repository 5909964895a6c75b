import type { EventHandler } from '@crm/events';
import type { DB } from '../db/schema.ts';
import { insertSignalOnce } from '../db/value.store.ts';

/** A paid instalment feeds the contribution and the repayment record (once per event). */
export const onInstalmentPaid: EventHandler<DB, 'InstalmentPaid'> = async (tx, event) => {
  const e = event.data;
  await insertSignalOnce(tx, {
    event_id: event.id,
    customer_id: e.customerId,
    kind: 'INSTALMENT_PAID',
    loan_id: e.loanId,
    amount: e.amountPaid,
    on_time: e.onTime,
    occurred_on: e.paidOn,
  });
};
