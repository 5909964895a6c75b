import {
  type ChangePosition,
  type ChangeStamped,
  type CountedConnection,
  changeColumns,
  changeFeedFilter,
  changeOrder,
  countsOf,
  decodeCursor,
  type PageWindow,
  type Parented,
  type Scope,
  type SortKey,
  windowPages,
} from '@crm/service-kit';
import type { Insertable, Kysely } from 'kysely';
import { accountInScope, assertAccountInScope, type MemberFilter, memberMatches, withinDays } from './account.store.ts';
import { afterTimeId, timeIdCursor } from './keyset.ts';
import type { DB, RedemptionRow, RedemptionStatus, RedemptionTable, RewardKind, RewardRow, RewardTable } from './schema.ts';

export async function findRewardsByIds(db: Kysely<DB>, ids: readonly string[]): Promise<RewardRow[]> {
  if (!ids.length) return [];
  return db
    .selectFrom('reward')
    .selectAll()
    .where('id', 'in', [...ids])
    .execute();
}

/** The catalogue in code order (keyset on code), filtered; `maxTierRank` keeps what that tier may redeem. */
export async function findRewards(
  db: Kysely<DB>,
  filter: { kind: RewardKind | null; activeOnly: boolean; maxTierRank: number | null },
  window: PageWindow,
): Promise<RewardRow[]> {
  const after = window.after ? String(decodeCursor(window.after, 1)[0]) : null;
  return db
    .selectFrom('reward as r')
    .leftJoin('loyalty_tier as t', 't.code', 'r.min_tier')
    .selectAll('r')
    .$if(filter.kind !== null, (q) => q.where('r.kind', '=', filter.kind ?? 'GIFT'))
    .$if(filter.activeOnly, (q) => q.where('r.active', '=', true))
    .$if(filter.maxTierRank !== null, (q) => q.where((eb) => eb.or([eb('r.min_tier', 'is', null), eb('t.rank', '<=', filter.maxTierRank ?? 0)])))
    .$if(after !== null, (q) => q.where('r.code', '>', after ?? ''))
    .orderBy('r.code')
    .limit(window.limit)
    .execute();
}

/** The reward, its row locked until the transaction ends (stock changes one at a time). */
export async function lockReward(db: Kysely<DB>, id: string): Promise<(RewardRow & { min_tier_rank: number | null }) | undefined> {
  return db
    .selectFrom('reward as r')
    .leftJoin('loyalty_tier as t', 't.code', 'r.min_tier')
    .selectAll('r')
    .select('t.rank as min_tier_rank')
    .where('r.id', '=', id)
    .forUpdate('r')
    .executeTakeFirst();
}

export async function changeStock(db: Kysely<DB>, rewardId: string, delta: number): Promise<void> {
  await db
    .updateTable('reward')
    .set((eb) => ({ stock: eb('stock', '+', delta) }))
    .where('id', '=', rewardId)
    .where('stock', 'is not', null)
    .execute();
}

export async function insertReward(db: Kysely<DB>, row: Insertable<RewardTable>): Promise<RewardRow> {
  return db.insertInto('reward').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function updateReward(db: Kysely<DB>, id: string, row: Omit<Insertable<RewardTable>, 'id'>): Promise<RewardRow | undefined> {
  return db.updateTable('reward').set(row).where('id', '=', id).returningAll().executeTakeFirst();
}

export async function findRewardByCode(db: Kysely<DB>, code: string): Promise<RewardRow | undefined> {
  return db.selectFrom('reward').selectAll().where('code', '=', code).executeTakeFirst();
}

/** The redemptions with these ids whose member is within the scope. */
export async function findRedemptionsByIds(db: Kysely<DB>, scope: Scope, ids: readonly string[]): Promise<RedemptionRow[]> {
  if (!ids.length) return [];
  return db
    .selectFrom('redemption as d')
    .innerJoin('loyalty_account as a', 'a.id', 'd.account_id')
    .selectAll('d')
    .where('d.id', 'in', [...ids])
    .where(accountInScope(scope))
    .execute();
}

export async function findRedemptionByIdempotencyKey(db: Kysely<DB>, key: string): Promise<RedemptionRow | undefined> {
  return db.selectFrom('redemption').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
}

/** FORBIDDEN when the redemption's member is outside the scope (nothing to say when there is no such redemption). */
export async function assertRedemptionInScope(db: Kysely<DB>, scope: Scope, id: string): Promise<void> {
  if (scope.kind === 'all') return;
  const row = await db
    .selectFrom('redemption as d')
    .innerJoin('loyalty_account as a', 'a.id', 'd.account_id')
    .select(['a.branch_id', 'a.relationship_manager_id'])
    .where('d.id', '=', id)
    .executeTakeFirst();
  if (row) assertAccountInScope(scope, row);
}

export async function lockRedemption(db: Kysely<DB>, id: string): Promise<RedemptionRow | undefined> {
  return db.selectFrom('redemption').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function insertRedemption(db: Kysely<DB>, row: Insertable<RedemptionTable>): Promise<void> {
  await db.insertInto('redemption').values(row).execute();
}

export async function markRedemptionCancelled(db: Kysely<DB>, id: string, at: Date, reason: string, by: string): Promise<void> {
  await db.updateTable('redemption').set({ status: 'CANCELLED', cancelled_at: at, cancel_reason: reason, cancelled_by: by }).where('id', '=', id).execute();
}

/** Keyset of a redemption in the top-level `loyaltyRedemptions` list (redeemed, then id: redemptions of the same instant are ordered by id). */
export const redemptionCursor = (r: Pick<RedemptionRow, 'redeemed_at' | 'id'>) => timeIdCursor(r.redeemed_at, r.id);

/** The redemptions of many accounts within the scope, with the account as `_parent`. */
const redemptionsOfAccounts = (db: Kysely<DB>, scope: Scope, accountIds: readonly string[]) =>
  db
    .selectFrom('redemption as d')
    .innerJoin('loyalty_account as a', 'a.id', 'd.account_id')
    .selectAll('d')
    .select('d.account_id as _parent')
    .where('d.account_id', 'in', [...accountIds])
    .where(accountInScope(scope));

/** Per-account order of redemptions: newest first, ties on the instant broken by id. */
const REDEMPTION_ORDER: readonly SortKey[] = [
  { ref: 'redeemed_at', type: 'timestamptz' },
  { ref: 'id', type: 'text' },
];

/** `LoyaltyAccount.redemptions`: one page per account after a cursor, in one statement (a window function). */
export async function findRedemptionsOfAccounts(
  db: Kysely<DB>,
  scope: Scope,
  accountIds: readonly string[],
  window: PageWindow,
): Promise<Parented<RedemptionRow>[]> {
  if (!accountIds.length) return [];
  return windowPages<RedemptionRow>(db, redemptionsOfAccounts(db, scope, accountIds), REDEMPTION_ORDER, 'desc', window);
}

/** Redemptions per account within the scope, in one grouped statement (`totalCount` of `LoyaltyAccount.redemptions`). */
export async function countRedemptionsOfAccounts(db: Kysely<DB>, scope: Scope, accountIds: readonly string[]): Promise<Map<string, number>> {
  if (!accountIds.length) return new Map();
  return countsOf(db, redemptionsOfAccounts(db, scope, accountIds));
}

export interface RedemptionFilter extends MemberFilter {
  status?: readonly RedemptionStatus[] | null;
  rewardId?: string | null;
  redeemedFrom?: string | null;
  redeemedTo?: string | null;
}

/** A redemption as `loyaltyRedemptions` returns it; the stamp only in a `changedSince` pull. */
export type RedemptionRecord = RedemptionRow & Partial<ChangeStamped>;

function redemptionsMatching(db: Kysely<DB>, scope: Scope, f: RedemptionFilter) {
  return db
    .selectFrom('redemption as d')
    .innerJoin('loyalty_account as a', 'a.id', 'd.account_id')
    .where(memberMatches(scope, f))
    .where(withinDays('d.redeemed_at', f.redeemedFrom, f.redeemedTo))
    .$if(Boolean(f.status?.length), (q) => q.where('d.status', 'in', [...(f.status ?? [])]))
    .$if(Boolean(f.rewardId), (q) => q.where('d.reward_id', '=', f.rewardId ?? ''));
}

/**
 * One page of `loyaltyRedemptions`: in (redeemed, id) order after a keyset cursor or, with `since`
 * (a `changedSince` pull), in change-feed order after that position (a cancellation re-stamps the row).
 */
export async function listRedemptions(
  db: Kysely<DB>,
  scope: Scope,
  filter: RedemptionFilter,
  page: { limit: number; after: string | null; since: ChangePosition | null | undefined },
): Promise<RedemptionRecord[]> {
  const base = redemptionsMatching(db, scope, filter).selectAll('d');
  if (page.since !== undefined) {
    return base.select(changeColumns('d')).where(changeFeedFilter('d', page.since)).orderBy(changeOrder('d')).limit(page.limit).execute();
  }
  return base
    .where(afterTimeId('d.redeemed_at', 'd.id', page.after, 'asc'))
    .orderBy('d.redeemed_at')
    .orderBy('d.id')
    .limit(page.limit)
    .execute();
}

export async function countRedemptions(db: Kysely<DB>, scope: Scope, filter: RedemptionFilter): Promise<number> {
  const row = await redemptionsMatching(db, scope, filter)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** `loyaltyRedemptions` and `LoyaltyAccount.redemptions`: a page and its lazy count. */
export type RedemptionPage = CountedConnection<RedemptionRecord>;
