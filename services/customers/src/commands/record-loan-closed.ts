import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { closeLoan } from '../db/value.store.ts';

/** A closed loan leaves the balances and the products held (a RepaymentReversed that reopens it brings it back). */
export async function recordLoanClosed(tx: Transaction<DB>, closed: { loanId: string; closedOn: string }): Promise<void> {
  await closeLoan(tx, closed.loanId, closed.closedOn);
}
