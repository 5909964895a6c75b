import {
  type ChangePosition,
  type ChangeStamped,
  type CountedConnection,
  changeColumns,
  changeFeedFilter,
  changeOrder,
  decodeCursor,
  type PageWindow,
} from '@crm/service-kit';
import { type Expression, type Kysely, type RawBuilder, type SelectQueryBuilder, sql } from 'kysely';
import type { CollateralWithValuations } from './collateral.store.ts';
import type {
  CreditReviewRow,
  GuarantorRow,
  InstalmentRow,
  LoanDelinquencyRow,
  LoanRow,
  RepaymentRow,
  RestructuringRow,
  RiskClassChangeRow,
  RiskWarningRow,
} from './schema.ts';

/**
 * Keyset paging for credit's connections (issue 12), in one place so every list pages the same way:
 * a sort key of one or more columns, the last one unique (the tie-breaker, usually the id), all in
 * one direction; the cursor holds the key's values as text (timestamps to the microsecond, so a
 * cursor never falls between two rows of the same millisecond).
 */
export interface SortKey {
  /** The column, qualified where the query has several tables (`r.paid_on`). */
  ref: string;
  type: 'date' | 'timestamptz' | 'text' | 'int';
}

export type Direction = 'asc' | 'desc';

/** The key's value as exact text: what the cursor holds. */
function keyText(key: SortKey, ref = sql.ref(key.ref)): RawBuilder<string> {
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

/** `(k1, k2) > (v1, v2)` (`<` descending): the rows after a cursor. */
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

/**
 * One page per parent in ONE statement (a window function): `inner` selects the rows of every
 * parent asked for, with the parent's id as `_parent` and the sort-key columns under their plain
 * names; each parent gets `window.limit` rows after the cursor.
 */
export async function windowPages<R>(
  // biome-ignore lint/suspicious/noExplicitAny: raw SQL over any of the service's tables.
  db: Kysely<any>,
  inner: Expression<R>,
  keys: readonly SortKey[],
  direction: Direction,
  window: PageWindow,
): Promise<(R & { _parent: string })[]> {
  const ref = (k: SortKey) => sql.ref(`q.${k.ref}`);
  const texts = keys.map((k, i) => sql`${keyText(k, sql.ref(`q.${k.ref}`))} as ${sql.id(`_k${i}`)}`);
  const { rows } = await sql<R & { _parent: string; _rn: string }>`
    select * from (
      select q.*, ${sql.join(texts)}, row_number() over (partition by q._parent order by ${orderOf(keys, direction, ref)}) as _rn
        from (${inner}) q
       where ${window.after ? afterCursor(keys, direction, window.after, ref) : sql`true`}
    ) r
    where r._rn <= ${window.limit}
    order by r._parent, ${orderOf(keys, direction, (k) => sql.ref(`r.${k.ref}`))}`.execute(db);
  return rows;
}

/** The number of rows of each parent of `inner` (as for `windowPages`), in one grouped statement. */
export async function countsOf<D>(db: Kysely<D>, inner: Expression<unknown>): Promise<Map<string, number>> {
  const { rows } = await sql<{ _parent: string; n: string }>`select q._parent, count(*) as n from (${inner}) q group by q._parent`.execute(db);
  return new Map(rows.map((r) => [r._parent, Number(r.n)]));
}

/** A connection: a page of rows and its lazy count. */
export type Page<R> = CountedConnection<R>;

export type LoanPage = Page<LoanRow>;
export type InstalmentPage = Page<InstalmentRow>;
export type RepaymentPage = Page<RepaymentRow>;
export type RiskWarningPage = Page<RiskWarningRow>;
export type RiskClassChangePage = Page<RiskClassChangeRow>;
export type CollateralPage = Page<CollateralWithValuations>;
export type GuarantorPage = Page<GuarantorRow>;
export type CreditReviewPage = Page<CreditReviewRow>;
export type RestructuringPage = Page<RestructuringRow>;
export type LoanDelinquencyPage = Page<LoanDelinquencyRow>;
