import DataLoader from 'dataloader';
import { type Expression, type Kysely, type RawBuilder, type SelectQueryBuilder, sql } from 'kysely';
import { type ChangePosition, type ChangeStamped, changeColumns, changeFeedFilter, changeOrder } from './change-feed.ts';
import { createPagedLoader, type PageWindow } from './loaders.ts';
import { type CountedConnection, decodeCursor, pageSize, toConnection, withCount } from './pagination.ts';

/**
 * Keyset paging shared by every service (issue 12), so every list pages the same way:
 *
 * - a nested connection (`Customer.history`, `Loan.repayments`, `LoyaltyAccount.ledger`...) reads
 *   one page per parent in ONE statement, whatever the number of parents in the request
 *   (`windowPages`: `row_number() over (partition by parent order by key) <= first + 1`), and its
 *   `totalCount` in one grouped statement only when selected (`countsOf`);
 * - a top-level list reads a page after a cursor, or a `changedSince` pull (`pageQuery`).
 *
 * The sort key is one or more columns, the last one unique (the tie-breaker, usually the id), all
 * in one direction. The cursor holds the key's values as text, read by the database itself
 * (timestamps to the microsecond, so a cursor never falls between two rows of the same
 * millisecond, which a JavaScript `Date` would round them to).
 */
export interface SortKey {
  /** The column, qualified where a top-level query has several tables (`r.paid_on`); plain in a `windowPages` inner query. */
  ref: string;
  type: 'date' | 'timestamptz' | 'text' | 'int';
}

export type Direction = 'asc' | 'desc';

/** The key's value as exact text: what the cursor holds. */
function keyText(key: SortKey, ref: RawBuilder<unknown> = sql.ref(key.ref)): RawBuilder<string> {
  switch (key.type) {
    case 'date':
      return sql<string>`to_char(${ref}, 'YYYY-MM-DD')`;
    case 'timestamptz':
      return sql<string>`to_char(${ref} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
    default:
      return sql<string>`${ref}::text`;
  }
}

function typed(value: string | number, type: SortKey['type']): RawBuilder<unknown> {
  switch (type) {
    case 'date':
      return sql`${String(value)}::date`;
    case 'timestamptz':
      return sql`${String(value)}::timestamptz`;
    case 'int':
      return sql`${String(value)}::int`;
    default:
      return sql`${String(value)}::text`;
  }
}

/** `(k1, k2) > (v1, v2)` (`<` descending): the rows after a cursor. A cursor of another arity is BAD_USER_INPUT on `after`. */
function afterCursor(keys: readonly SortKey[], direction: Direction, cursor: string, refOf: (k: SortKey) => RawBuilder<unknown>): RawBuilder<boolean> {
  const values = decodeCursor(cursor, keys.length);
  const left = sql.join(keys.map(refOf));
  const right = sql.join(keys.map((k, i) => typed(values[i] ?? '', k.type)));
  return direction === 'desc' ? sql<boolean>`(${left}) < (${right})` : sql<boolean>`(${left}) > (${right})`;
}

const orderOf = (keys: readonly SortKey[], direction: Direction, refOf: (k: SortKey) => RawBuilder<unknown>) =>
  sql.join(keys.map((k) => sql`${refOf(k)} ${sql.raw(direction)}`));

/** The cursor of a row read with `pageQuery` or `windowPages` (its `_k0`, `_k1`... columns). */
export function keysetCursor(row: object): string[] {
  const values: string[] = [];
  for (let i = 0; `_k${i}` in row; i++) values.push(String((row as Record<string, unknown>)[`_k${i}`]));
  return values;
}

/** A page of a top-level list: keyset after a cursor, or with `since` (changedSince) in change-feed order. */
export interface ListPage {
  limit: number;
  after: string | null;
  since: ChangePosition | null | undefined;
}

/** A listed row: its sort-key texts (keyset mode) or its change stamp (changedSince mode). */
export type Listed<R> = R & Partial<ChangeStamped> & { _k0?: string };

/**
 * Finishes a top-level list's query (filters and scope already applied on `alias`): in keyset
 * order after the cursor, or, with `page.since`, in change-feed order after that position.
 */
export function pageQuery<DB, TB extends keyof DB, O>(
  base: SelectQueryBuilder<DB, TB, O>,
  alias: string,
  keys: readonly SortKey[],
  direction: Direction,
  page: ListPage,
): SelectQueryBuilder<DB, TB, Listed<O>> {
  // biome-ignore lint/suspicious/noExplicitAny: the extra columns are computed, not from the table types.
  const q = base as SelectQueryBuilder<any, any, any>;
  if (page.since !== undefined) {
    return q.select(changeColumns(alias)).where(changeFeedFilter(alias, page.since)).orderBy(changeOrder(alias)).limit(page.limit);
  }
  const ref = (k: SortKey) => sql.ref(k.ref);
  return q
    .select(keys.map((k, i) => keyText(k).as(`_k${i}`)))
    .$if(page.after !== null, (b) => b.where(afterCursor(keys, direction, page.after ?? '', ref)))
    .orderBy(orderOf(keys, direction, ref))
    .limit(page.limit);
}

/** A row of a nested connection: its parent's id and its sort-key texts (the cursor). */
export type Parented<R> = R & { _parent: string };

/**
 * One page per parent in ONE statement (a window function): `inner` selects the rows of every
 * parent asked for (scope and filters applied), with the parent's id as `_parent` and the
 * sort-key columns under their plain names; each parent gets `window.limit` rows after the
 * cursor, ordered by parent, then by the key. Rows carry `_parent` and `_k0`, `_k1`...
 * (`keysetCursor`).
 */
export async function windowPages<R>(
  // biome-ignore lint/suspicious/noExplicitAny: raw SQL over any of the service's tables.
  db: Kysely<any>,
  inner: Expression<R>,
  keys: readonly SortKey[],
  direction: Direction,
  window: PageWindow,
): Promise<Parented<R>[]> {
  const ref = (k: SortKey) => sql.ref(`q.${k.ref}`);
  const texts = keys.map((k, i) => sql`${keyText(k, sql.ref(`q.${k.ref}`))} as ${sql.id(`_k${i}`)}`);
  const { rows } = await sql<Parented<R> & { _rn: unknown }>`
    select * from (
      select q.*, ${sql.join(texts)}, row_number() over (partition by q._parent order by ${orderOf(keys, direction, ref)}) as _rn
        from (${inner}) q
       where ${window.after ? afterCursor(keys, direction, window.after, ref) : sql`true`}
    ) r
    where r._rn <= ${window.limit}
    order by r._parent, ${orderOf(keys, direction, (k) => sql.ref(`r.${k.ref}`))}`.execute(db);
  return rows.map(({ _rn, ...row }) => row as unknown as Parented<R>);
}

/** The number of rows of each parent of `inner` (as for `windowPages`), in one grouped statement. */
export async function countsOf<D>(db: Kysely<D>, inner: Expression<unknown>): Promise<Map<string, number>> {
  const { rows } = await sql<{ _parent: string; n: string }>`select q._parent, count(*) as n from (${inner}) q group by q._parent`.execute(db);
  return new Map(rows.map((r) => [r._parent, Number(r.n)]));
}

/** A request's loader of nested pages (rows from `windowPages`): every parent asked for with the same window in one statement. */
export type ParentPages<R> = ReturnType<typeof createPagedLoader<Parented<R>>>;

/** Batches a nested connection's pages by `_parent`. */
export function parentPagesLoader<R>(fetch: (parentIds: readonly string[], window: PageWindow) => Promise<Parented<R>[]>): ParentPages<R> {
  return createPagedLoader(fetch, (r) => r._parent);
}

/** A request's loader of counts per parent, in the order asked, 0 where none (one grouped count per batch). */
export function countLoader(count: (parentIds: readonly string[]) => Promise<Map<string, number>>): DataLoader<string, number> {
  return new DataLoader<string, number>(async (ids) => {
    const counts = await count(ids);
    return ids.map((id) => counts.get(id) ?? 0);
  });
}

/**
 * A nested connection of one parent: its page from the batched loader (first + 1 rows tell
 * whether another page exists), edges keyed by `keysetCursor`, and `totalCount` as a thunk the
 * connection type's resolver calls only when it is selected.
 */
export async function nestedConnection<R extends object, T = R>(
  pages: (parentId: string, window: PageWindow) => Promise<R[]>,
  count: DataLoader<string, number>,
  parentId: string,
  args: { first?: number | null; after?: string | null },
  options: { defaultSize?: number; toNode?: (row: R) => T } = {},
): Promise<CountedConnection<T>> {
  const size = pageSize(args.first, options.defaultSize);
  const rows = await pages(parentId, { limit: size + 1, after: args.after ?? null });
  return withCount(toConnection(rows, size, keysetCursor, options.toNode), () => count.load(parentId));
}

/** The `totalCount` resolver of every counted connection type. */
export const countedConnection = { totalCount: (c: { count: () => Promise<number> }) => c.count() };
