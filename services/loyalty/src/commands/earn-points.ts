import { emit } from '@crm/events';
import { addMonthsTo, isoDate } from '@crm/service-kit';
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { type AccountWithBalance, appendEntriesOnce, appendEntryOnce, balanceOf, findActiveRule, findSettings, setTier } from '../db/account.store.ts';
import { cachedRules, cachedSettings, cachedTiers } from '../db/programme.cache.ts';
import type { DB, LoyaltyAccountRow, LoyaltyTierRow, NewPointsEntry } from '../db/schema.ts';
import { findTiers, qualifyingPoints, qualifyingPointsOfEach } from '../db/tier.store.ts';
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

/**
 * earnPoints for many earnings at once (an event batch), each of a different account, with the
 * account's balance as read in this transaction: the same entries, events and upgrades as
 * earnPoints on each in turn, in a few statements whatever their number. The programme's rules,
 * tiers and settings are read once (cache); one multi-row ledger insert (conflicts skipped, as
 * appendEntryOnce); balances are the account's plus the points inserted (no re-sum); one read of
 * the qualifying points of the accounts that may move up and were not opened in this transaction;
 * one tier update per new tier. Events are emitted inside `as` (the handling of the earning's
 * event). Returns what each earning credited, as earnPoints does.
 */
export async function earnPointsMany(
  tx: Kysely<DB>,
  earnings: readonly (Omit<Earning, 'account' | 'programme'> & {
    account: Pick<AccountWithBalance, 'id' | 'customer_id' | 'tier' | 'balance'> & { fresh?: boolean };
  })[],
  programme: Kysely<DB>,
  as: <T>(index: number, fn: () => Promise<T>) => Promise<T> = (_index, fn) => fn(),
): Promise<({ entryId: string; points: number } | null)[]> {
  if (new Set(earnings.map((e) => e.account.id)).size !== earnings.length) throw new Error('earnPointsMany: an account earns at most once per call');
  const [rules, tiers, settings] = [await cachedRules(programme, tx), await cachedTiers(programme, tx), await cachedSettings(programme, tx)];
  const planned = earnings.map((e) => {
    const rule = rules.find((r) => r.code === e.ruleCode && r.active);
    if (!rule) return null;
    const multiplier = tiers.find((t) => t.code === e.account.tier)?.multiplier ?? '1';
    const points = pointsForRule(
      { code: rule.code, calculation: rule.calculation, points: rule.points, rate: rule.rate, tierMultiplier: rule.tier_multiplier },
      e.amount,
      multiplier,
    );
    if (points <= 0) return null;
    const entry: NewPointsEntry & { id: string } = {
      id: uuidv7(),
      account_id: e.account.id,
      kind: 'EARN',
      points,
      reason: rule.description,
      source_id: e.sourceEventId,
      source_ref: e.sourceRef,
      rule_code: rule.code,
      created_at: e.at,
      expires_at: expiryOf(e.at, settings.points_validity_months),
    };
    return { entry, points, rule };
  });
  const inserted = await appendEntriesOnce(
    tx,
    planned.flatMap((p) => (p ? [p.entry] : [])),
  );
  const results = planned.map((p) => (p && inserted.has(p.entry.id) ? { entryId: p.entry.id, points: p.points } : null));
  for (const [index, e] of earnings.entries()) {
    const earned = results[index];
    const rule = planned[index]?.rule;
    if (!earned || !rule) continue;
    await as(index, () =>
      emit(tx, 'PointsEarned', {
        subject: e.account.customer_id,
        time: e.at,
        data: {
          accountId: e.account.id,
          customerId: e.account.customer_id,
          entryId: earned.entryId,
          points: earned.points,
          reason: rule.code,
          sourceEventId: e.sourceEventId,
          balance: e.account.balance + earned.points,
        },
      }),
    );
  }
  // Upgrades, as upgradeAtOnce for each: qualifying points read at once for the accounts not opened now.
  const rankOf = (code: string) => tiers.find((t) => t.code === code)?.rank ?? 0;
  const top = Math.max(0, ...tiers.map((t) => t.rank));
  const climbing = earnings.flatMap((e, index) => (results[index] && rankOf(e.account.tier) < top ? [index] : []));
  const qualifying = await qualifyingPointsOfEach(
    tx,
    climbing.flatMap((index) => {
      const e = earnings[index];
      return e && !e.account.fresh ? [{ accountId: e.account.id, from: addMonthsTo(e.at, -settings.tier_window_months), to: e.at }] : [];
    }),
  );
  const upgrades = new Map<string, { tier: string; effectiveOn: string; accountIds: string[] }>();
  for (const index of climbing) {
    const e = earnings[index];
    const earned = results[index];
    if (!e || !earned) continue;
    const q = e.account.fresh ? earned.points : (qualifying.get(e.account.id) ?? 0);
    const qualified = qualifiedTier(q, tiers);
    if (qualified.rank <= rankOf(e.account.tier)) continue;
    const effectiveOn = isoDate(e.at);
    const group = upgrades.get(`${qualified.code} ${effectiveOn}`) ?? { tier: qualified.code, effectiveOn, accountIds: [] };
    group.accountIds.push(e.account.id);
    upgrades.set(`${qualified.code} ${effectiveOn}`, group);
    await as(index, () =>
      emit(tx, 'TierChanged', {
        subject: e.account.customer_id,
        time: e.at,
        data: {
          accountId: e.account.id,
          customerId: e.account.customer_id,
          previousTier: e.account.tier,
          tier: qualified.code,
          direction: 'UP',
          effectiveOn,
          // the new tier's rate discount (credit prices new loans with it, issue 15)
          rateDiscountBps: qualified.rate_discount_bps,
        },
      }),
    );
  }
  for (const u of upgrades.values()) await setTier(tx, u.accountIds, u.tier, u.effectiveOn);
  return results;
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
    data: {
      accountId: account.id,
      customerId: account.customer_id,
      previousTier: account.tier,
      tier: qualified.code,
      direction: 'UP',
      effectiveOn,
      // the new tier's rate discount (credit prices new loans with it, issue 15)
      rateDiscountBps: qualified.rate_discount_bps,
    },
  });
}

/** The customer's account (with its balance), opened now if a lending or survey event overtook the registration. */
export async function accountOfCustomer(tx: Kysely<DB>, customerId: string, at: Date, programme?: Kysely<DB>): Promise<Earning['account'] & LoyaltyAccountRow> {
  const { account, opened } = await openAccountOnce(tx, customerId, at, undefined, programme);
  return { ...account, fresh: opened };
}
