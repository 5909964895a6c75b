import { emit } from '@crm/events';
import { addMonthsTo, isoDate } from '@crm/service-kit';
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { appendEntryOnce, balanceOf, findActiveRule, findSettings, setTier } from '../db/account.store.ts';
import { cachedRules, cachedSettings, cachedTiers } from '../db/programme.cache.ts';
import type { DB, LoyaltyAccountRow, LoyaltyTierRow } from '../db/schema.ts';
import { findTiers, qualifyingPoints } from '../db/tier.store.ts';
import { pointsForRule } from '../domain/earning.ts';
import { expiryOf } from '../domain/points.ts';
import { qualifiedTier } from '../domain/tiers.ts';
import { openAccountOnce } from './open-account.ts';

export interface Earning {
  /**
   * The account earning; with its `balance` as read in this transaction, the new balance is that
   * plus the points (no re-sum of the ledger); `fresh` when opened in this transaction (its
   * qualifying points are then the points earned now).
   */
  account: Pick<LoyaltyAccountRow, 'id' | 'customer_id' | 'tier'> & { balance?: number; fresh?: boolean };
  ruleCode: string;
  /** Amount a PROPORTIONAL rule applies to (decimal string), null for FIXED rules. */
  amount: string | null;
  /** The event that earns (names the entry's source). */
  sourceEventId: string;
  /** Business key the rule earns once for (an instalment, a loan, a survey response...). */
  sourceRef: string;
  at: Date;
  /**
   * The service's database handle (an event handler's context): the rules, tiers and settings
   * come from its per-process cache (programme.cache.ts) instead of being read for each event.
   */
  programme?: Kysely<DB> | undefined;
}

/** The programme's rules, tiers and settings: cached when the caller gives the handle, else read in `tx`. */
async function programmeOf(tx: Kysely<DB>, e: Earning) {
  if (!e.programme) {
    const rule = await findActiveRule(tx, e.ruleCode);
    if (!rule) return undefined;
    const tier = await tx.selectFrom('loyalty_tier').select('multiplier').where('code', '=', e.account.tier).executeTakeFirst();
    return { rule, multiplier: tier?.multiplier ?? '1', settings: () => findSettings(tx), tiers: () => findTiers(tx) };
  }
  const db = e.programme;
  // Loaded (on a miss) through the handler's transaction: never a second connection while it is open.
  const [rules, tiers] = [await cachedRules(db, tx), await cachedTiers(db, tx)];
  const rule = rules.find((r) => r.code === e.ruleCode && r.active);
  if (!rule) return undefined;
  const multiplier = tiers.find((t) => t.code === e.account.tier)?.multiplier ?? '1';
  return { rule, multiplier, settings: () => cachedSettings(db, tx), tiers: async () => tiers };
}

/**
 * Credits the points an earning rule gives, once per source, and emits PointsEarned. Returns the
 * points credited, 0 when the rule is inactive, gives nothing, or already earned for the source.
 */
export async function earnPoints(tx: Kysely<DB>, e: Earning): Promise<{ entryId: string; points: number } | null> {
  const programme = await programmeOf(tx, e);
  if (!programme) return null;
  const { rule } = programme;
  const points = pointsForRule(
    { code: rule.code, calculation: rule.calculation, points: rule.points, rate: rule.rate, tierMultiplier: rule.tier_multiplier },
    e.amount,
    programme.multiplier,
  );
  if (points <= 0) return null;
  const settings = await programme.settings();
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
      balance: e.account.balance === undefined ? await balanceOf(tx, e.account.id) : e.account.balance + points,
    },
  });
  await upgradeAtOnce(tx, e.account, points, await programme.tiers(), e.at, settings.tier_window_months);
  return { entryId, points };
}

/** Upgrades apply at once: when earning lifts the member's qualifying points over a higher threshold. */
async function upgradeAtOnce(
  tx: Kysely<DB>,
  account: Earning['account'],
  earned: number,
  tiers: readonly LoyaltyTierRow[],
  at: Date,
  windowMonths: number,
): Promise<void> {
  const current = tiers.find((t) => t.code === account.tier);
  // Nothing above the member's tier: no qualifying points to add up.
  if (!tiers.some((t) => t.rank > (current?.rank ?? 0))) return;
  const qualifying = account.fresh ? earned : ((await qualifyingPoints(tx, [account.id], addMonthsTo(at, -windowMonths), at)).get(account.id) ?? 0);
  const qualified = qualifiedTier(qualifying, tiers);
  if (qualified.rank <= (current?.rank ?? 0)) return;
  const effectiveOn = isoDate(at);
  await setTier(tx, [account.id], qualified.code, effectiveOn);
  await emit(tx, 'TierChanged', {
    subject: account.customer_id,
    time: at,
    data: { accountId: account.id, customerId: account.customer_id, previousTier: account.tier, tier: qualified.code, direction: 'UP', effectiveOn },
  });
}

/** The customer's account (with its balance), opened now if a lending or survey event overtook the registration. */
export async function accountOfCustomer(tx: Kysely<DB>, customerId: string, at: Date, programme?: Kysely<DB>): Promise<Earning['account'] & LoyaltyAccountRow> {
  const { account, opened } = await openAccountOnce(tx, customerId, at, undefined, programme);
  return { ...account, fresh: opened };
}
