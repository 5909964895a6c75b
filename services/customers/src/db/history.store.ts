import { type CountedConnection, countsOf, type PageWindow, type Parented, type Scope, type SortKey, windowPages } from '@crm/service-kit';
import type { Kysely } from 'kysely';
import { customerIdsInScope } from './customer.store.ts';
import type { CustomerChangeRow, DB, ManagerAssignmentRow } from './schema.ts';

export type NewChange = Omit<CustomerChangeRow, 'changed_at'> & { changed_at: Date };

export async function insertChanges(db: Kysely<DB>, rows: NewChange[]): Promise<void> {
  if (!rows.length) return;
  await db.insertInto('customer_change').values(rows).execute();
}

/** The changes of many customers (in scope), with the customer as `_parent`: what their connection pages and counts. */
const changesOfCustomers = (db: Kysely<DB>, scope: Scope, customerIds: readonly string[]) =>
  db
    .selectFrom('customer_change')
    .selectAll()
    .select('customer_id as _parent')
    .where('customer_id', 'in', [...customerIds])
    .$if(scope.kind !== 'all', (q) => q.where('customer_id', 'in', customerIdsInScope(db, scope)));

/** Per-customer order of changes: newest first, ties on the instant broken by id. */
const CHANGE_ORDER: readonly SortKey[] = [
  { ref: 'changed_at', type: 'timestamptz' },
  { ref: 'id', type: 'text' },
];

/** `Customer.history` (and `customerHistory`): one page per customer after a cursor, in one statement (a window function). */
export async function findChangesOfCustomers(
  db: Kysely<DB>,
  scope: Scope,
  customerIds: readonly string[],
  window: PageWindow,
): Promise<Parented<CustomerChangeRow>[]> {
  if (!customerIds.length) return [];
  return windowPages<CustomerChangeRow>(db, changesOfCustomers(db, scope, customerIds), CHANGE_ORDER, 'desc', window);
}

/** Number of changes of each customer asked for, in one grouped statement. */
export async function countChangesOfCustomers(db: Kysely<DB>, scope: Scope, customerIds: readonly string[]): Promise<Map<string, number>> {
  if (!customerIds.length) return new Map();
  return countsOf(db, changesOfCustomers(db, scope, customerIds));
}

/** `Customer.history` and `customerHistory`: a page and its lazy count. */
export type CustomerChangePage = CountedConnection<CustomerChangeRow>;

export async function insertAssignment(db: Kysely<DB>, row: Omit<ManagerAssignmentRow, 'assigned_at'> & { assigned_at: Date }): Promise<void> {
  await db.insertInto('manager_assignment').values(row).execute();
}

/** Manager assignments of many customers, newest first, in one query (the deprecated `Customer.managerHistory` list). */
export async function findAssignmentsOfCustomers(db: Kysely<DB>, scope: Scope, customerIds: readonly string[]): Promise<ManagerAssignmentRow[]> {
  if (!customerIds.length) return [];
  return db
    .selectFrom('manager_assignment')
    .selectAll()
    .where('customer_id', 'in', [...customerIds])
    .$if(scope.kind !== 'all', (q) => q.where('customer_id', 'in', customerIdsInScope(db, scope)))
    .orderBy('customer_id')
    .orderBy('assigned_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

/** The assignments of many customers (in scope), with the customer as `_parent`. */
const assignmentsOfCustomers = (db: Kysely<DB>, scope: Scope, customerIds: readonly string[]) =>
  db
    .selectFrom('manager_assignment')
    .selectAll()
    .select('customer_id as _parent')
    .where('customer_id', 'in', [...customerIds])
    .$if(scope.kind !== 'all', (q) => q.where('customer_id', 'in', customerIdsInScope(db, scope)));

/** Per-customer order of assignments: newest first, ties on the instant broken by id. */
const ASSIGNMENT_ORDER: readonly SortKey[] = [
  { ref: 'assigned_at', type: 'timestamptz' },
  { ref: 'id', type: 'text' },
];

/** `Customer.managerHistoryConnection`: one page per customer after a cursor, in one statement. */
export async function findAssignmentPagesOfCustomers(
  db: Kysely<DB>,
  scope: Scope,
  customerIds: readonly string[],
  window: PageWindow,
): Promise<Parented<ManagerAssignmentRow>[]> {
  if (!customerIds.length) return [];
  return windowPages<ManagerAssignmentRow>(db, assignmentsOfCustomers(db, scope, customerIds), ASSIGNMENT_ORDER, 'desc', window);
}

/** Number of assignments of each customer asked for, in one grouped statement. */
export async function countAssignmentsOfCustomers(db: Kysely<DB>, scope: Scope, customerIds: readonly string[]): Promise<Map<string, number>> {
  if (!customerIds.length) return new Map();
  return countsOf(db, assignmentsOfCustomers(db, scope, customerIds));
}

/** `Customer.managerHistoryConnection`: a page and its lazy count. */
export type ManagerAssignmentPage = CountedConnection<ManagerAssignmentRow>;
