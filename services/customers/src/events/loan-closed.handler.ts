import type { EventHandler } from '@crm/events';
import type { DB } from '../db/schema.ts';
import { closeLoan } from '../db/value.store.ts';

/** A closed loan leaves the balances and the products held. */
export const onLoanClosed: EventHandler<DB, 'LoanClosed'> = async (tx, event) => {
  await closeLoan(tx, event.data.loanId, event.data.closedOn);
};
