import { type CountedConnection, dateText, decodeCursor, type PageWindow, type Scope } from '@crm/service-kit';
import { type Kysely, sql } from 'kysely';
import { customerIdsInScope } from './customer.store.ts';
import type { DB, FinancialSnapshotRow } from './schema.ts';

export async function findSnapshotIdByIdempotencyKey(db: Kysely<DB>, key: string): Promise<FinancialSnapshotRow | undefined> {
  return db.selectFrom('financial_snapshot').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
}

/** The current snapshot of a customer: newest as-of date, then newest recorded. */
export async function findCurrentSnapshot(db: Kysely<DB>, customerId: string): Promise<FinancialSnapshotRow | undefined> {
  return db
    .selectFrom('financial_snapshot')
    .selectAll()
    .where('customer_id', '=', customerId)
    .orderBy('as_of', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** The snapshot just before a date (the one a new snapshot is compared with). */
export async function findSnapshotBefore(db: Kysely<DB>, customerId: string, asOf: string): Promise<FinancialSnapshotRow | undefined> {
  return db
    .selectFrom('financial_snapshot')
    .selectAll()
    .where('customer_id', '=', customerId)
    .where('as_of', '<=', asOf)
    .orderBy('as_of', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function insertSnapshot(db: Kysely<DB>, row: FinancialSnapshotRow): Promise<void> {
  await db.insertInto('financial_snapshot').values(row).execute();
}

/** Copies the current snapshot's derived values onto the customer row (for filters and segments). */
export async function refreshCurrentFinancials(db: Kysely<DB>, customerId: string): Promise<void> {
  const current = await findCurrentSnapshot(db, customerId);
  await db
    .updateTable('customer')
    .set({ income_band: current?.income_band ?? null, risk_appetite: current?.risk_appetite ?? null })
    .where('id', '=', customerId)
    .execute();
}

/** Snapshots of many customers, newest first, in one query. */
export async function findSnapshotsOfCustomers(db: Kysely<DB>, scope: Scope, customerIds: readonly string[]): Promise<FinancialSnapshotRow[]> {
  if (!customerIds.length) return [];
  return db
    .selectFrom('financial_snapshot')
    .selectAll()
    .where('customer_id', 'in', [...customerIds])
    .$if(scope.kind !== 'all', (q) => q.where('customer_id', 'in', customerIdsInScope(db, scope)))
    .orderBy('customer_id')
    .orderBy('as_of', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

/** Keyset of a snapshot in the per-customer order (newest as-of date first, then id): ties on the date are broken by id. */
export const snapshotCursor = (row: FinancialSnapshotRow) => [dateText(row.as_of), row.id];

/** One page of snapshots per customer, `window.limit` each after a cursor, in one query (a window function). */
export async function findSnapshotPagesOfCustomers(
  db: Kysely<DB>,
  scope: Scope,
  customerIds: readonly string[],
  window: PageWindow,
): Promise<FinancialSnapshotRow[]> {
  if (!customerIds.length) return [];
  const after = window.after ? decodeCursor(window.after, 2).map(String) : null;
  const ranked = db
    .selectFrom('financial_snapshot')
    .selectAll()
    .select((eb) =>
      eb.fn
        .agg<string>('row_number')
        .over((ob) => ob.partitionBy('customer_id').orderBy('as_of', 'desc').orderBy('id', 'desc'))
        .as('rn'),
    )
    .where('customer_id', 'in', [...customerIds])
    .$if(scope.kind !== 'all', (q) => q.where('customer_id', 'in', customerIdsInScope(db, scope)))
    .$if(after !== null, (q) => q.where(sql<boolean>`(as_of, id) < (${after?.[0]}::date, ${after?.[1]})`));
  const rows = await db
    .selectFrom(ranked.as('r'))
    .selectAll()
    .where('rn', '<=', String(window.limit))
    .orderBy('customer_id')
    .orderBy('as_of', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(({ rn: _rn, ...row }) => row);
}

/** Number of snapshots of each customer asked for, in one grouped query. */
export async function countSnapshotsOfCustomers(db: Kysely<DB>, scope: Scope, customerIds: readonly string[]): Promise<Map<string, number>> {
  if (!customerIds.length) return new Map();
  const rows = await db
    .selectFrom('financial_snapshot')
    .select(['customer_id', (eb) => eb.fn.countAll<string>().as('n')])
    .where('customer_id', 'in', [...customerIds])
    .$if(scope.kind !== 'all', (q) => q.where('customer_id', 'in', customerIdsInScope(db, scope)))
    .groupBy('customer_id')
    .execute();
  return new Map(rows.map((r) => [r.customer_id, Number(r.n)]));
}

/** `Customer.financialSnapshots`: a page and its lazy count. */
export type FinancialSnapshotPage = CountedConnection<FinancialSnapshotRow>;
