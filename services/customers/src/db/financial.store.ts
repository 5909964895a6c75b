import { type CountedConnection, countsOf, type PageWindow, type Parented, type Scope, type SortKey, windowPages } from '@crm/service-kit';
import type { Kysely } from 'kysely';
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

/** The snapshots of many customers (in scope), with the customer as `_parent`. */
const snapshotsOfCustomers = (db: Kysely<DB>, scope: Scope, customerIds: readonly string[]) =>
  db
    .selectFrom('financial_snapshot')
    .selectAll()
    .select('customer_id as _parent')
    .where('customer_id', 'in', [...customerIds])
    .$if(scope.kind !== 'all', (q) => q.where('customer_id', 'in', customerIdsInScope(db, scope)));

/** Per-customer order of snapshots: newest as-of date first, ties on the date broken by id. */
const SNAPSHOT_ORDER: readonly SortKey[] = [
  { ref: 'as_of', type: 'date' },
  { ref: 'id', type: 'text' },
];

/** `Customer.financialSnapshots`: one page per customer after a cursor, in one statement (a window function). */
export async function findSnapshotPagesOfCustomers(
  db: Kysely<DB>,
  scope: Scope,
  customerIds: readonly string[],
  window: PageWindow,
): Promise<Parented<FinancialSnapshotRow>[]> {
  if (!customerIds.length) return [];
  return windowPages<FinancialSnapshotRow>(db, snapshotsOfCustomers(db, scope, customerIds), SNAPSHOT_ORDER, 'desc', window);
}

/** Number of snapshots of each customer asked for, in one grouped statement. */
export async function countSnapshotsOfCustomers(db: Kysely<DB>, scope: Scope, customerIds: readonly string[]): Promise<Map<string, number>> {
  if (!customerIds.length) return new Map();
  return countsOf(db, snapshotsOfCustomers(db, scope, customerIds));
}

/** `Customer.financialSnapshots`: a page and its lazy count. */
export type FinancialSnapshotPage = CountedConnection<FinancialSnapshotRow>;
