import { emit } from '@crm/events';
import { addMonthsTo, isoDate } from '@crm/service-kit';
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { appendEntryOnce, balanceOf, findActiveRule, findSettings, setTier } from '../db/account.store.ts';
import type { DB, LoyaltyAccountRow } from '../db/schema.ts';
import { findTiers, qualifyingPoints } from '../db/tier.store.ts';
import { pointsForRule } from '../domain/earning.ts';
import { expiryOf } from '../domain/points.ts';
import { qualifiedTier } from '../domain/tiers.ts';
import { openAccountOnce } from './open-account.ts';

export interface Earning {
  account: Pick<LoyaltyAccountRow, 'id' | 'customer_id' | 'tier'>;
  ruleCode: string;
  /** Amount a PROPORTIONAL rule applies to (decimal string), null for FIXED rules. */
  amount: string | null;
  /** The event that earns (names the entry's source). */
  sourceEventId: string;
  /** Business key the rule earns once for (an instalment, a loan, a survey response...). */
  sourceRef: string;
  at: Date;
}

/**
 * Credits the points an earning rule gives, once per source, and emits PointsEarned. Returns the
 * points credited, 0 when the rule is inactive, gives nothing, or already earned for the source.
 */
export async function earnPoints(tx: Kysely<DB>, e: Earning): Promise<{ entryId: string; points: number } | null> {
  const rule = await findActiveRule(tx, e.ruleCode);
  if (!rule) return null;
  const tier = await tx.selectFrom('loyalty_tier').select('multiplier').where('code', '=', e.account.tier).executeTakeFirst();
  const points = pointsForRule(
    { code: rule.code, calculation: rule.calculation, points: rule.points, rate: rule.rate, tierMultiplier: rule.tier_multiplier },
    e.amount,
    tier?.multiplier ?? '1',
  );
  if (points <= 0) return null;
  const settings = await findSettings(tx);
  const entryId = uuidv7();
  const earned = await appendEntryOnce(tx, {
    id: entryId,
    account_id: e.account.id,
    kind: 'EARN',
    points,
    reason: rule.description,
    source_id: e.sourceEventId,
    source_ref: e.sourceRef,
    rule_code: rule.code,
    created_at: e.at,
    expires_at: expiryOf(e.at, settings.points_validity_months),
  });
  if (!earned) return null;
  await emit(tx, 'PointsEarned', {
    subject: e.account.customer_id,
    time: e.at,
    data: {
      accountId: e.account.id,
      customerId: e.account.customer_id,
      entryId,
      points,
      reason: rule.code,
      sourceEventId: e.sourceEventId,
      balance: await balanceOf(tx, e.account.id),
    },
  });
  await upgradeAtOnce(tx, e.account, e.at, settings.tier_window_months);
  return { entryId, points };
}

/** Upgrades apply at once: when earning lifts the member's qualifying points over a higher threshold. */
async function upgradeAtOnce(tx: Kysely<DB>, account: Earning['account'], at: Date, windowMonths: number): Promise<void> {
  const tiers = await findTiers(tx);
  const qualifying = (await qualifyingPoints(tx, [account.id], addMonthsTo(at, -windowMonths), at)).get(account.id) ?? 0;
  const qualified = qualifiedTier(qualifying, tiers);
  const current = tiers.find((t) => t.code === account.tier);
  if (qualified.rank <= (current?.rank ?? 0)) return;
  const effectiveOn = isoDate(at);
  await setTier(tx, [account.id], qualified.code, effectiveOn);
  await emit(tx, 'TierChanged', {
    subject: account.customer_id,
    time: at,
    data: { accountId: account.id, customerId: account.customer_id, previousTier: account.tier, tier: qualified.code, direction: 'UP', effectiveOn },
  });
}

/** The customer's account, opened now if a lending or survey event overtook the registration. */
export async function accountOfCustomer(tx: Kysely<DB>, customerId: string, at: Date): Promise<LoyaltyAccountRow> {
  return (await openAccountOnce(tx, customerId, at)).account;
}
