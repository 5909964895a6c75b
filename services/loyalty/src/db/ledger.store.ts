import { type ChangePosition, type ChangeStamped, type CountedConnection, changeColumns, changeFeedFilter, changeOrder, type Scope } from '@crm/service-kit';
import { type Kysely, sql } from 'kysely';
import { LOT_KINDS } from '../domain/expiry.ts';
import { type MemberFilter, memberMatches, withinDays } from './account.store.ts';
import { inChunks } from './chunks.ts';
import { afterTimeId } from './keyset.ts';
import type { DB, NewPointsEntry, PointsEntryKind, PointsEntryRow } from './schema.ts';

/** Earnings of a rule for these business keys that no REVERSE entry names yet, oldest first. */
export async function findUnreversedEarnings(db: Kysely<DB>, accountId: string, ruleCode: string, sourceRefs: readonly string[]): Promise<PointsEntryRow[]> {
  if (!sourceRefs.length) return [];
  return db
    .selectFrom('points_entry as e')
    .selectAll('e')
    .where('e.account_id', '=', accountId)
    .where('e.kind', '=', 'EARN')
    .where('e.rule_code', '=', ruleCode)
    .where('e.source_ref', 'in', [...sourceRefs])
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('points_entry as r')
            .select('r.id')
            .whereRef('r.account_id', '=', 'e.account_id')
            .where('r.kind', '=', 'REVERSE')
            .whereRef('r.source_id', '=', 'e.id'),
        ),
      ),
    )
    .orderBy('e.id')
    .execute();
}

/** Appends a reversal unless one already names the same source. */
export async function appendReversalOnce(db: Kysely<DB>, entry: NewPointsEntry): Promise<boolean> {
  const inserted = await db
    .insertInto('points_entry')
    .values(entry)
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Appends an entry; a duplicate source fails (the caller's transaction is rolled back). */
export async function appendEntry(db: Kysely<DB>, entry: NewPointsEntry): Promise<void> {
  await db.insertInto('points_entry').values(entry).execute();
}

export async function balancesOf(db: Kysely<DB>, accountIds: readonly string[]): Promise<Map<string, number>> {
  const rows = await inChunks(accountIds, (slice) =>
    db
      .selectFrom('points_entry')
      .select(['account_id', (eb) => eb.fn.sum<string>('points').as('s')])
      .where('account_id', 'in', slice)
      .groupBy('account_id')
      .execute(),
  );
  return new Map(rows.map((r) => [r.account_id, Number(r.s)]));
}

/**
 * What is left of each credit lot (EARN and positive ADJUST entries) after FIFO consumption. A
 * reversal of earned points (a negative REVERSE entry with the rule code, naming the earning as its
 * source) takes back that very lot; every other debit (redemptions, expiries, negative adjustments,
 * less refunds: positive REVERSE entries) consumes the oldest lots first. The same rule as
 * domain/expiry.ts#lotsOfLedger and #remainingLots, as a window sum over the whole ledger; a test
 * runs it over generated ledgers against domain/expiry.ts#expiredPointsOf.
 */
function lotRemainders() {
  return sql`
    reversed as (
      select account_id, source_id, sum(points) as points
      from points_entry
      where kind = 'REVERSE' and points < 0 and rule_code is not null
      group by account_id, source_id
    ),
    debits as (
      select account_id,
             coalesce(-sum(points) filter (where points < 0 and not (kind = 'REVERSE' and rule_code is not null)), 0)
               - coalesce(sum(points) filter (where kind = 'REVERSE' and points > 0), 0) as debited
      from points_entry group by account_id
    ),
    lots as (
      select e.account_id, e.id, e.points + coalesce(rv.points, 0) as points, e.expires_at,
             sum(e.points + coalesce(rv.points, 0)) over (partition by e.account_id order by e.created_at, e.id) as cum
      from points_entry e
      left join reversed rv on rv.account_id = e.account_id and rv.source_id = e.id
      where e.kind in (${sql.join([...LOT_KINDS])}) and e.points > 0
    ),
    remaining as (
      select l.account_id, l.expires_at, greatest(0, least(l.points, l.cum - coalesce(d.debited, 0))) as remaining
      from lots l left join debits d on d.account_id = l.account_id
    )`;
}

/** Per account, the points left in lots expiring before `cutoff` (exclusive). */
export async function findExpiredPoints(db: Kysely<DB>, cutoff: Date): Promise<{ account_id: string; customer_id: string; points: number }[]> {
  const result = await sql<{ account_id: string; customer_id: string; points: string | number }>`
    with ${lotRemainders()}
    select r.account_id, a.customer_id, sum(r.remaining)::int as points
    from remaining r join loyalty_account a on a.id = r.account_id
    where r.expires_at < ${cutoff}
    group by r.account_id, a.customer_id
    having sum(r.remaining) > 0
    order by r.account_id`.execute(db);
  return result.rows.map((r) => ({ ...r, points: Number(r.points) }));
}

/**
 * Locks, in one statement and in id order, the rows of the members who have points to expire
 * before `cutoff`: a redemption of theirs waits until the expiry run commits (and vice versa).
 */
export async function lockMembersWithExpiredPoints(db: Kysely<DB>, cutoff: Date): Promise<number> {
  const result = await sql<{ id: string }>`
    with ${lotRemainders()}
    select a.id from loyalty_account a
    where a.id in (select account_id from remaining where expires_at < ${cutoff} group by account_id having sum(remaining) > 0)
    order by a.id
    for update of a`.execute(db);
  return result.rows.length;
}

/** Appends many entries (a statement per slice of rows), skipping sources already recorded; returns those appended. */
export async function appendEntriesOnce(db: Kysely<DB>, entries: NewPointsEntry[]): Promise<{ id: string; account_id: string; points: number }[]> {
  return inChunks(entries, (slice) =>
    db
      .insertInto('points_entry')
      .values(slice)
      .onConflict((oc) => oc.doNothing())
      .returning(['id', 'account_id', 'points'])
      .execute(),
  );
}

/**
 * Records, set-wise, a warning for every account with points left in lots expiring in
 * [from, to): the points, and the earliest date. One warning per account and earliest date, so a
 * rerun for the same date warns nobody twice. Returns the warnings recorded now.
 */
export async function recordExpiryWarnings(
  db: Kysely<DB>,
  from: Date,
  to: Date,
  warnedOn: string,
): Promise<{ account_id: string; customer_id: string; points: number; expires_on: string }[]> {
  const result = await sql<{ account_id: string; customer_id: string; points: number | string; expires_on: string }>`
    with ${lotRemainders()},
    due as (
      select account_id, sum(remaining)::int as points, min((expires_at at time zone 'UTC')::date) as expires_on
      from remaining
      where remaining > 0 and expires_at >= ${from} and expires_at < ${to}
      group by account_id
    ),
    inserted as (
      insert into points_expiry_warning (account_id, expires_on, points, warned_on)
      select account_id, expires_on, points, ${warnedOn}::date from due
      on conflict do nothing
      returning account_id, expires_on, points
    )
    select i.account_id, a.customer_id, i.points, i.expires_on::text as expires_on
    from inserted i join loyalty_account a on a.id = i.account_id
    order by i.account_id`.execute(db);
  return result.rows.map((r) => ({ ...r, points: Number(r.points) }));
}

/** Members born on this month and day (and 29 February ones on 28 February), with their tier multiplier. */
export async function findBirthdayMembers(
  db: Kysely<DB>,
  date: string,
): Promise<{ account_id: string; customer_id: string; birth_date: string; multiplier: string }[]> {
  const result = await sql<{ account_id: string; customer_id: string; birth_date: string; multiplier: string }>`
    select a.id as account_id, a.customer_id, a.birth_date::text as birth_date, coalesce(t.multiplier, 1)::text as multiplier
    from loyalty_account a left join loyalty_tier t on t.code = a.tier
    where a.birth_date is not null
      and (to_char(a.birth_date, 'MM-DD') = to_char(${date}::date, 'MM-DD')
           or (to_char(a.birth_date, 'MM-DD') = '02-29' and to_char(${date}::date, 'MM-DD') = '02-28'))
    order by a.id`.execute(db);
  return result.rows;
}

export async function findAdjustment(db: Kysely<DB>, accountId: string, sourceId: string): Promise<PointsEntryRow | undefined> {
  return db
    .selectFrom('points_entry')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('kind', '=', 'ADJUST')
    .where('source_id', '=', sourceId)
    .executeTakeFirst();
}

export async function findEntryById(db: Kysely<DB>, id: string): Promise<PointsEntryRow | undefined> {
  return db.selectFrom('points_entry').selectAll().where('id', '=', id).executeTakeFirst();
}

export interface EntryFilter extends MemberFilter {
  kind?: readonly PointsEntryKind[] | null;
  ruleCode?: string | null;
  createdFrom?: string | null;
  createdTo?: string | null;
}

/** A ledger entry as `pointsEntries` returns it; the stamp only in a `changedSince` pull. */
export type EntryRecord = PointsEntryRow & Partial<ChangeStamped>;

function entriesMatching(db: Kysely<DB>, scope: Scope, f: EntryFilter) {
  return db
    .selectFrom('points_entry as e')
    .innerJoin('loyalty_account as a', 'a.id', 'e.account_id')
    .where(memberMatches(scope, f))
    .where(withinDays('e.created_at', f.createdFrom, f.createdTo))
    .$if(Boolean(f.kind?.length), (q) => q.where('e.kind', 'in', [...(f.kind ?? [])]))
    .$if(Boolean(f.ruleCode), (q) => q.where('e.rule_code', '=', f.ruleCode ?? ''));
}

/**
 * One page of `pointsEntries`: in (created, id) order after a keyset cursor or, with `since` (a
 * `changedSince` pull), in change-feed order after that position.
 */
export async function listEntries(
  db: Kysely<DB>,
  scope: Scope,
  filter: EntryFilter,
  page: { limit: number; after: string | null; since: ChangePosition | null | undefined },
): Promise<EntryRecord[]> {
  const base = entriesMatching(db, scope, filter).selectAll('e');
  if (page.since !== undefined) {
    return base.select(changeColumns('e')).where(changeFeedFilter('e', page.since)).orderBy(changeOrder('e')).limit(page.limit).execute();
  }
  return base
    .where(afterTimeId('e.created_at', 'e.id', page.after, 'asc'))
    .orderBy('e.created_at')
    .orderBy('e.id')
    .limit(page.limit)
    .execute();
}

export async function countEntries(db: Kysely<DB>, scope: Scope, filter: EntryFilter): Promise<number> {
  const row = await entriesMatching(db, scope, filter)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** `pointsEntries` and `LoyaltyAccount.ledger`: a page and its lazy count. */
export type EntryPage = CountedConnection<EntryRecord>;
