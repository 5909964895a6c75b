import { type Kysely, sql } from 'kysely';
import type { DB, LoyaltyTierRow } from './schema.ts';

export async function findTiers(db: Kysely<DB>): Promise<LoyaltyTierRow[]> {
  return db.selectFrom('loyalty_tier').selectAll().orderBy('rank').execute();
}

export async function upsertTier(db: Kysely<DB>, tier: LoyaltyTierRow): Promise<LoyaltyTierRow> {
  const { code, ...rest } = tier;
  return db
    .insertInto('loyalty_tier')
    .values(tier)
    .onConflict((oc) => oc.column('code').doUpdateSet(rest))
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Qualifying points of accounts over the window (from, to]: points earned (EARN) less the
 * reversals of earned points (negative REVERSE). Redemptions and expiry do not lower them.
 */
export async function qualifyingPoints(db: Kysely<DB>, accountIds: readonly string[], from: Date, to: Date): Promise<Map<string, number>> {
  if (!accountIds.length) return new Map();
  const rows = await db
    .selectFrom('points_entry')
    .select(['account_id', (eb) => eb.fn.sum<string>('points').as('q')])
    .where('account_id', 'in', [...accountIds])
    .where((eb) => eb.or([eb('kind', '=', 'EARN'), eb.and([eb('kind', '=', 'REVERSE'), eb('points', '<', 0)])]))
    .where('created_at', '>', from)
    .where('created_at', '<=', to)
    .groupBy('account_id')
    .execute();
  return new Map(rows.map((r) => [r.account_id, Number(r.q)]));
}

export interface TierCandidate {
  account_id: string;
  customer_id: string;
  tier: string;
  downgrade_on: string | null;
  qualifying: number;
  qualified_tier: string;
}

/**
 * Members whose tier may change as of a date, in one query: the tier their qualifying points
 * over the rolling window reach differs from theirs, or a downgrade is pending.
 */
export async function findTierCandidates(db: Kysely<DB>, from: Date, to: Date): Promise<TierCandidate[]> {
  const result = await sql<TierCandidate>`
    with q as (
      select a.id as account_id, a.customer_id, a.tier, a.downgrade_on::text as downgrade_on,
             coalesce(sum(e.points) filter (
               where (e.kind = 'EARN' or (e.kind = 'REVERSE' and e.points < 0))
                 and e.created_at > ${from} and e.created_at <= ${to}), 0)::int as qualifying
      from loyalty_account a
      left join points_entry e on e.account_id = a.id
      group by a.id
    ), ranked as (
      select q.*, (select t.code from loyalty_tier t where t.threshold <= q.qualifying order by t.rank desc limit 1) as qualified_tier
      from q
    )
    select * from ranked where qualified_tier is distinct from tier or downgrade_on is not null
    order by account_id`.execute(db);
  return result.rows.map((r) => ({ ...r, qualifying: Number(r.qualifying) }));
}
