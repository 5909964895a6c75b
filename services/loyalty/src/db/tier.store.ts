import { type Kysely, type RawBuilder, type SqlBool, sql } from 'kysely';
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
 * Qualifying points of each (account, window (from, to]) in one query (an event batch, where each
 * event has its own window): as qualifyingPoints, keyed by account id (one window per account).
 */
export async function qualifyingPointsOfEach(db: Kysely<DB>, windows: readonly { accountId: string; from: Date; to: Date }[]): Promise<Map<string, number>> {
  if (!windows.length) return new Map();
  const out = new Map<string, number>();
  for (let i = 0; i < windows.length; i += 500) {
    const slice = windows.slice(i, i + 500);
    const values = sql.join(slice.map((w) => sql`(${w.accountId}, ${w.from}::timestamptz, ${w.to}::timestamptz)`));
    const rows = await sql<{ account_id: string; q: string }>`
      select w.account_id, sum(e.points) as q
      from (values ${values}) as w(account_id, f, t)
      join points_entry e on e.account_id = w.account_id
      where ${qualifyingEntry(sql.ref('e.kind'), sql.ref('e.points'))} and e.created_at > w.f and e.created_at <= w.t
      group by w.account_id`.execute(db);
    for (const r of rows.rows) out.set(r.account_id, Number(r.q));
  }
  return out;
}

/** An entry that counts toward qualifying points: earned (EARN), or a reversal of earned points (negative REVERSE). */
function qualifyingEntry(kind: RawBuilder<unknown>, points: RawBuilder<unknown>): RawBuilder<SqlBool> {
  return sql<SqlBool>`(${kind} = 'EARN' or (${kind} = 'REVERSE' and ${points} < 0))`;
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
    .where(qualifyingEntry(sql.ref('kind'), sql.ref('points')))
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
               where ${qualifyingEntry(sql.ref('e.kind'), sql.ref('e.points'))}
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
