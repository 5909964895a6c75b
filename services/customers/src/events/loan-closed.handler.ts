import type { EventHandler } from '@crm/events';
import { recordLoanClosed } from '../commands/record-loan-closed.ts';
import type { DB } from '../db/schema.ts';

export const onLoanClosed: EventHandler<DB, 'LoanClosed'> = async (tx, event) => {
  await recordLoanClosed(tx, { loanId: event.data.loanId, closedOn: event.data.closedOn });
};
