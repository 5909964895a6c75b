import { type AliasedRawBuilder, type Kysely, type Migration, type RawBuilder, sql } from 'kysely';
import { badUserInput } from './errors.ts';
import { type Connection, encodeCursor } from './pagination.ts';

/**
 * Incremental sync (`changedSince`) for reporting tools.
 *
 * Every tracked table carries two columns stamped on INSERT and on every UPDATE:
 * - `change_txid` (xid8): the writing transaction, `pg_current_xact_id()`;
 * - `change_seq` (bigint): from one sequence per service, to order rows within a transaction.
 *
 * A reader sees a row only once every transaction that could still commit rows ordered before it
 * has finished: `change_txid < pg_snapshot_xmin(pg_current_snapshot())` (the horizon). Transactions
 * older than the horizon are all committed or rolled back, so rows ordered by
 * `(change_txid, change_seq)` below it never gain a new member, and a cursor taken there never
 * skips a row that commits later, whatever the order in which concurrent writers commit. This is
 * the "change sequence assigned at commit" a warehouse loader needs, without a commit-time hook.
 *
 * Deletions are visible too: a deleted row of a tracked table leaves `(table_name, row_key)` in
 * `change_deletion`, stamped the same way (see `deletionsSince`).
 *
 * The cursor is opaque to clients (base64url of `[txid, seq]`); a pull returns rows after it in a
 * stable order and the cursor of the last row; an empty pull keeps the cursor the client sent.
 */

/** A position in a change feed. */
export interface ChangePosition {
  txid: string;
  seq: string;
}

/** The columns the change feed reads; stores select them with `changeColumns`. */
export interface ChangeStamped {
  change_txid: string;
  change_seq: string;
}

/** A tracked table and the column that names a row in `change_deletion` (its primary key). */
export interface TrackedTable {
  table: string;
  key: string;
}

/**
 * Adds change tracking to tables: the two stamped columns (existing rows get the migration's own
 * transaction), the triggers, the ordering index, and the deletion log. Each service lists this in
 * its migrations with its own tables; frozen like every migration (add tables with a new call).
 */
export function changeTrackingMigration(tables: readonly TrackedTable[]): Migration {
  return {
    // biome-ignore lint/suspicious/noExplicitAny: migrations are written against an untyped database.
    async up(db: Kysely<any>) {
      await sql`create sequence if not exists change_seq`.execute(db);
      await sql`create or replace function crm_stamp_change() returns trigger language plpgsql as $$
        begin
          new.change_txid := pg_current_xact_id();
          new.change_seq := nextval('change_seq');
          return new;
        end $$`.execute(db);
      await sql`create table if not exists change_deletion (
          table_name text not null,
          row_key text not null,
          change_txid xid8 not null default pg_current_xact_id(),
          change_seq bigint not null default nextval('change_seq'),
          deleted_at timestamptz not null default now()
        )`.execute(db);
      await sql`create index if not exists change_deletion_feed_idx on change_deletion (table_name, change_txid, change_seq)`.execute(db);
      await sql`create or replace function crm_record_deletion() returns trigger language plpgsql as $$
        begin
          insert into change_deletion (table_name, row_key) values (tg_table_name, to_jsonb(old) ->> tg_argv[0]);
          return old;
        end $$`.execute(db);
      for (const { table, key } of tables) {
        const t = sql.table(table);
        await sql`alter table ${t}
            add column change_txid xid8 not null default pg_current_xact_id(),
            add column change_seq bigint not null default nextval('change_seq')`.execute(db);
        await sql`create trigger ${sql.id(`${table}_change_stamp`)} before update on ${t}
            for each row execute function crm_stamp_change()`.execute(db);
        await sql`create trigger ${sql.id(`${table}_change_deletion`)} after delete on ${t}
            for each row execute function crm_record_deletion(${sql.lit(key)})`.execute(db);
        await sql`create index ${sql.id(`${table}_change_feed_idx`)} on ${t} (change_txid, change_seq)`.execute(db);
      }
    },
  };
}

/** Reads an incoming `changedSince` cursor; a malformed one is bad input on that argument. */
export function decodeChangeCursor(cursor: string, field = 'changedSince'): ChangePosition {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && parsed.every((v) => typeof v === 'string' && /^\d{1,19}$/.test(v))) {
      return { txid: parsed[0], seq: parsed[1] };
    }
  } catch {
    // fall through
  }
  throw badUserInput('Malformed change cursor', field);
}

/** The cursor of a row read from a change feed. */
export function changeCursorOf(row: ChangeStamped): string {
  return encodeCursor([String(row.change_txid), String(row.change_seq)]);
}

/** The position of a row, for comparing and for tests. */
export function changePositionOf(row: ChangeStamped): ChangePosition {
  return { txid: String(row.change_txid), seq: String(row.change_seq) };
}

/** `change_txid` and `change_seq` of `alias`, as text (xid8 has no JS type). */
export function changeColumns(alias: string): [AliasedRawBuilder<string, 'change_txid'>, AliasedRawBuilder<string, 'change_seq'>] {
  return [sql<string>`${sql.ref(`${alias}.change_txid`)}::text`.as('change_txid'), sql<string>`${sql.ref(`${alias}.change_seq`)}::text`.as('change_seq')];
}

/**
 * The feed's filter on `alias`: rows below the horizon, after `since` when given. Combine it with
 * the list's own filters and order by `changeOrder(alias)`.
 */
export function changeFeedFilter(alias: string, since: ChangePosition | null): RawBuilder<boolean> {
  const txid = sql.ref(`${alias}.change_txid`);
  const seq = sql.ref(`${alias}.change_seq`);
  const horizon = sql<boolean>`${txid} < pg_snapshot_xmin(pg_current_snapshot())`;
  if (!since) return horizon;
  return sql<boolean>`${horizon} and (${txid}, ${seq}) > (${since.txid}::xid8, ${since.seq}::bigint)`;
}

/** The feed's order on `alias`: by writing transaction, then by stamp. */
export function changeOrder(alias: string): RawBuilder<unknown> {
  return sql`${sql.ref(`${alias}.change_txid`)}, ${sql.ref(`${alias}.change_seq`)}`;
}

/** Keys of rows of `table` deleted after `since` and below the horizon, oldest first. */
export async function deletionsSince(
  // biome-ignore lint/suspicious/noExplicitAny: reads every service's change_deletion table.
  db: Kysely<any>,
  table: string,
  since: ChangePosition | null,
  limit: number,
): Promise<(ChangeStamped & { row_key: string; deleted_at: Date })[]> {
  const result = await sql<ChangeStamped & { row_key: string; deleted_at: Date }>`
    select d.row_key, d.deleted_at, d.change_txid::text as change_txid, d.change_seq::text as change_seq
      from change_deletion d
     where d.table_name = ${table} and ${changeFeedFilter('d', since)}
     order by ${changeOrder('d')}
     limit ${limit}`.execute(db);
  return result.rows;
}

/** The value of `changedSince` that starts a feed from the beginning. */
export const FEED_START = '*';

/**
 * Reads a list's `changedSince` argument: `undefined` when absent (the normal keyset listing),
 * `null` for `"*"` (the feed from the beginning), else the position of a previous pull.
 */
export function parseChangedSince(value: string | null | undefined): ChangePosition | null | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === FEED_START) return null;
  return decodeChangeCursor(value);
}

/** The cursor a feed page ends on: its last row's, or the one the client sent when the page is empty. */
export function feedEndCursor(rows: readonly ChangeStamped[], sent: string): string {
  const last = rows.at(-1);
  return last ? changeCursorOf(last) : sent;
}

/**
 * A `changedSince` page as a connection: rows fetched with `limit size + 1` in feed order (their
 * stamps selected with `changeColumns`); edge cursors are change cursors, and `endCursor` is the
 * one to pull from next (the cursor sent when the page is empty).
 */
export function toFeedConnection<R extends Partial<ChangeStamped>>(rows: R[], size: number, sent: string): Connection<R> {
  const page = rows.slice(0, size).map((row) => {
    if (row.change_txid === undefined || row.change_seq === undefined) throw new Error('a change feed row without its stamp');
    return { row, stamp: { change_txid: row.change_txid, change_seq: row.change_seq } };
  });
  return {
    edges: page.map(({ row, stamp }) => ({ cursor: changeCursorOf(stamp), node: row })),
    pageInfo: {
      hasNextPage: rows.length > size,
      endCursor: feedEndCursor(
        page.map((p) => p.stamp),
        sent,
      ),
    },
  };
}
