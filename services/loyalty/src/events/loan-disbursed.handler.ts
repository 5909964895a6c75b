import { type EventHandler, emit } from '@crm/events';
import { accountOfCustomer, earnPoints } from '../commands/earn-points.ts';
import { findAccountsByIds, SYSTEM_SCOPE } from '../db/account.store.ts';
import { findUnrewardedReferral, markReferralRewarded } from '../db/referral.store.ts';
import type { DB } from '../db/schema.ts';

/**
 * A repeat loan (cycle 2 and later) earns (rule REPEAT_LOAN). A customer's first loan rewards
 * whoever referred them (rule REFERRAL_CONVERTED), once.
 */
export const onLoanDisbursed: EventHandler<DB, 'LoanDisbursed'> = async (tx, event, { db }) => {
  const { customerId, loanId, loanCycle } = event.data;
  const at = new Date(event.time);
  if (loanCycle > 1) {
    const account = await accountOfCustomer(tx, customerId, new Date(event.time), db);
    await earnPoints(tx, { account, ruleCode: 'REPEAT_LOAN', amount: null, sourceEventId: event.id, sourceRef: `loan:${loanId}`, at, programme: db });
    return;
  }
  const referral = await findUnrewardedReferral(tx, customerId);
  if (!referral) return;
  const [referrer] = await findAccountsByIds(tx, SYSTEM_SCOPE, [referral.referrer_account_id]);
  if (!referrer) return;
  const earned = await earnPoints(tx, {
    account: referrer,
    ruleCode: 'REFERRAL_CONVERTED',
    amount: null,
    sourceEventId: event.id,
    sourceRef: `referred:${customerId}`,
    at,
    programme: db,
  });
  if (!earned) return;
  await markReferralRewarded(tx, customerId, at, earned.entryId);
  await emit(tx, 'ReferralRewarded', {
    subject: referrer.customer_id,
    time: at,
    data: { accountId: referrer.id, customerId: referrer.customer_id, referredCustomerId: customerId, points: earned.points, sourceEventId: event.id },
  });
};
