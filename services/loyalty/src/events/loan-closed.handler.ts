import type { EventHandler } from '@crm/events';
import { accountOfCustomer, earnPoints } from '../commands/earn-points.ts';
import type { DB } from '../db/schema.ts';

/** A loan repaid in full and on time earns (rule LOAN_REPAID_ON_TIME). */
export const onLoanClosed: EventHandler<DB, 'LoanClosed'> = async (tx, event, { db }) => {
  const { customerId, loanId, repaidOnTimeInFull } = event.data;
  if (!repaidOnTimeInFull) return;
  const account = await accountOfCustomer(tx, customerId, new Date(event.time), db);
  await earnPoints(tx, {
    account,
    ruleCode: 'LOAN_REPAID_ON_TIME',
    amount: null,
    sourceEventId: event.id,
    sourceRef: `loan:${loanId}`,
    at: new Date(event.time),
    programme: db,
  });
};
