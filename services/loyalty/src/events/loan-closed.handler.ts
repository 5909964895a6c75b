import type { EventHandler } from '@crm/events';
import type { DB } from '../db/schema.ts';
import { accountOfCustomerOrRetry, earnPoints } from './earn-points.ts';

/** A loan repaid in full and on time earns (rule LOAN_REPAID_ON_TIME). */
export const onLoanClosed: EventHandler<DB, 'LoanClosed'> = async (tx, event) => {
  const { customerId, loanId, repaidOnTimeInFull } = event.data;
  if (!repaidOnTimeInFull) return;
  const account = await accountOfCustomerOrRetry(tx, customerId);
  await earnPoints(tx, {
    account,
    ruleCode: 'LOAN_REPAID_ON_TIME',
    amount: null,
    sourceEventId: event.id,
    sourceRef: `loan:${loanId}`,
    at: new Date(event.time),
  });
};
