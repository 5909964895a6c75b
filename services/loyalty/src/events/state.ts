import { defineStateProjection } from '@crm/events';
import type { Kysely } from 'kysely';
import { findAccountsByIds, SYSTEM_SCOPE } from '../db/account.store.ts';
import type { DB } from '../db/schema.ts';

const account = (d: { accountId: string }) => ({ LoyaltyAccountState: d.accountId });

/**
 * The loyalty account state topic (crm.loyalty.account.state.v1): every loyalty event concerns
 * one account and brings its full current state (balance and tier), read in the event's
 * transaction (see @crm/events state.ts).
 */
export const loyaltyState = defineStateProjection<DB, 'loyalty'>({
  producer: 'loyalty',
  changes: {
    LoyaltyAccountOpened: account,
    PointsEarned: account,
    PointsRedeemed: account,
    PointsDeducted: account,
    RedemptionCancelled: account,
    PointsExpiring: account,
    PointsExpired: account,
    TierChanged: account,
    TierDowngradeWarning: account,
    // a tier's terms (issue 15): no account changes
    LoyaltyTierDefined: () => ({}),
    RewardRedeemed: account,
    ReferralRewarded: account,
  },
  load: { LoyaltyAccountState: accountStates },
});

async function accountStates(tx: Kysely<DB>, ids: readonly string[]) {
  const rows = await findAccountsByIds(tx, SYSTEM_SCOPE, ids);
  return new Map(
    rows.map((a) => [
      a.id,
      {
        accountId: a.id,
        customerId: a.customer_id,
        tier: a.tier,
        tierSince: a.tier_since,
        downgradeOn: a.downgrade_on,
        balance: a.balance,
        openedAt: a.opened_at.toISOString(),
      },
    ]),
  );
}
