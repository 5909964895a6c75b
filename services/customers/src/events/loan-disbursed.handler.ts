import type { EventHandler } from '@crm/events';
import { recordLoanDisbursed } from '../commands/record-loan-disbursed.ts';
import type { DB } from '../db/schema.ts';

export const onLoanDisbursed: EventHandler<DB, 'LoanDisbursed'> = async (tx, event) => {
  const { loanId, customerId, principal, currency, loanCycle, disbursedOn } = event.data;
  await recordLoanDisbursed(tx, { loanId, customerId, principal, currency, loanCycle, disbursedOn });
};
