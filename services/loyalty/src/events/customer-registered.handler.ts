import { randomBytes } from 'node:crypto';
import { type EventHandler, emit } from '@crm/events';
import { v7 as uuidv7 } from 'uuid';
import { findAccountByReferralCode, insertAccountOnce } from '../db/account.store.ts';
import { insertReferralOnce } from '../db/referral.store.ts';
import type { DB } from '../db/schema.ts';
import { findTiers } from '../db/tier.store.ts';
import { ENTRY_TIER, referralCodeFrom } from '../domain/points.ts';
import { earnPoints } from './earn-points.ts';

/**
 * Opens the customer's loyalty account (keeping the branch and birth date loyalty needs),
 * credits the welcome points (rule WELCOME) and records who referred the customer, if anyone.
 */
export const onCustomerRegistered: EventHandler<DB, 'CustomerRegistered'> = async (tx, event) => {
  const { customerId, branchId, birthDate, referralCode } = event.data;
  const openedAt = new Date(event.time);
  const accountId = uuidv7();
  // New members start in the lowest configured tier (BRONZE by default).
  const entryTier = (await findTiers(tx))[0]?.code ?? ENTRY_TIER;
  const opened = await insertAccountOnce(tx, {
    id: accountId,
    customer_id: customerId,
    tier: entryTier,
    referral_code: referralCodeFrom(randomBytes(8)),
    opened_at: openedAt,
    branch_id: branchId,
    birth_date: birthDate,
    tier_since: openedAt.toISOString().slice(0, 10),
  });
  if (!opened) return;
  await emit(tx, 'LoyaltyAccountOpened', {
    subject: customerId,
    data: { accountId, customerId, tier: entryTier, openedAt: openedAt.toISOString() },
  });

  await earnPoints(tx, {
    account: { id: accountId, customer_id: customerId, tier: entryTier },
    ruleCode: 'WELCOME',
    amount: null,
    sourceEventId: event.id,
    sourceRef: 'welcome',
    at: openedAt,
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
