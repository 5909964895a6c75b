import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { insertLoanOnce } from '../db/value.store.ts';

export interface LoanDisbursedSignal {
  loanId: string;
  customerId: string;
  principal: string;
  currency: string;
  loanCycle: number;
  disbursedOn: string;
}

/** A disbursed loan adds to the customer's balances and products held (value score), once per loan. */
export async function recordLoanDisbursed(tx: Transaction<DB>, loan: LoanDisbursedSignal): Promise<boolean> {
  return insertLoanOnce(tx, {
    loan_id: loan.loanId,
    customer_id: loan.customerId,
    principal: loan.principal,
    currency: loan.currency,
    loan_cycle: loan.loanCycle,
    disbursed_on: loan.disbursedOn,
  });
}
