import type { EventHandler } from '@crm/events';
import type { DB } from '../db/schema.ts';
import { insertLoanOnce } from '../db/value.store.ts';

/** A disbursed loan adds to the customer's balances and products held (value score). */
export const onLoanDisbursed: EventHandler<DB, 'LoanDisbursed'> = async (tx, event) => {
  const e = event.data;
  await insertLoanOnce(tx, {
    loan_id: e.loanId,
    customer_id: e.customerId,
    principal: e.principal,
    currency: e.currency,
    loan_cycle: e.loanCycle,
    disbursed_on: e.disbursedOn,
  });
};
