import type { EventHandler } from '@crm/events';
import { earnPoints } from '../commands/earn-points.ts';
import { openAccountOnce } from '../commands/open-account.ts';
import { findAccountByReferralCode, updateCustomerReplica } from '../db/account.store.ts';
import { insertReferralOnce } from '../db/referral.store.ts';
import type { DB } from '../db/schema.ts';

/**
 * Opens the customer's loyalty account (keeping the branch and birth date loyalty needs),
 * credits the welcome points (rule WELCOME, once) and records who referred the customer, if
 * anyone. When a lending event opened the account first, this completes it.
 */
export const onCustomerRegistered: EventHandler<DB, 'CustomerRegistered'> = async (tx, event, { db }) => {
  const { customerId, branchId, birthDate, referralCode, relationshipManagerId } = event.data;
  const openedAt = new Date(event.time);
  const { account, opened } = await openAccountOnce(tx, customerId, openedAt, { branchId, birthDate, relationshipManagerId }, db);
  if (!opened) {
    await updateCustomerReplica(tx, customerId, {
      branch_id: branchId,
      birth_date: birthDate,
      ...(relationshipManagerId ? { relationship_manager_id: relationshipManagerId } : {}),
    });
  }

  await earnPoints(tx, {
    account: { ...account, fresh: opened },
    ruleCode: 'WELCOME',
    amount: null,
    sourceEventId: event.id,
    sourceRef: 'welcome',
    at: openedAt,
    programme: db,
  });

  if (referralCode) {
    const referrer = await findAccountByReferralCode(tx, referralCode);
    // An unknown code or one's own is ignored: registration never fails over a referral.
    if (referrer && referrer.customer_id !== customerId) {
      await insertReferralOnce(tx, {
        referred_customer_id: customerId,
        referrer_account_id: referrer.id,
        referral_code: referrer.referral_code,
        registered_at: openedAt,
        rewarded_at: null,
        reward_entry_id: null,
      });
    }
  }
};
