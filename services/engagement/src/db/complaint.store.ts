import type { ChangePosition, PageWindow, Parented, Scope, SortKey } from '@crm/service-kit';
import { changeColumns, changeFeedFilter, changeOrder, countsOf, decodeCursor, windowPages } from '@crm/service-kit';
import type { Expression, ExpressionBuilder, Insertable, Kysely, SqlBool, Updateable } from 'kysely';
import { SLA_KINDS, UNACKNOWLEDGED_STATUSES, UNRESOLVED_STATUSES } from '../domain/complaints.ts';
import { customerInBranch, type ListPage } from './filters.ts';
import type {
  ComplaintCategory,
  ComplaintHistoryRow,
  ComplaintHistoryTable,
  ComplaintKind,
  ComplaintRow,
  ComplaintSeverity,
  ComplaintSlaRow,
  ComplaintStatus,
  ComplaintTable,
  DB,
  InteractionChannel,
  Stamped,
} from './schema.ts';
import { assertCustomerInScope, customerInScope } from './scope.ts';

export async function findComplaintSlas(db: Kysely<DB>): Promise<ComplaintSlaRow[]> {
  return db.selectFrom('complaint_sla').selectAll().orderBy('acknowledge_hours').execute();
}

export async function findComplaintSla(db: Kysely<DB>, severity: ComplaintSeverity): Promise<ComplaintSlaRow> {
  return db.selectFrom('complaint_sla').selectAll().where('severity', '=', severity).executeTakeFirstOrThrow();
}

export async function insertComplaint(db: Kysely<DB>, row: Insertable<ComplaintTable>): Promise<void> {
  await db.insertInto('complaint').values(row).execute();
}

export async function insertComplaintHistory(db: Kysely<DB>, row: ComplaintHistoryTable): Promise<void> {
  await db.insertInto('complaint_history').values(row).execute();
}

/** Complaints by id, only those whose customer is in scope (entity references, nested reads). */
export async function findComplaintsByIds(db: Kysely<DB>, scope: Scope, ids: readonly string[]): Promise<ComplaintRow[]> {
  if (!ids.length) return [];
  return db
    .selectFrom('complaint')
    .selectAll()
    .where('id', 'in', [...ids])
    .where(customerInScope(scope, 'complaint.customer_id'))
    .execute();
}

/** One complaint by id: undefined when unknown, FORBIDDEN when its customer is outside the scope. */
export async function findComplaintInScope(db: Kysely<DB>, scope: Scope, id: string): Promise<ComplaintRow | undefined> {
  const complaint = await db.selectFrom('complaint').selectAll().where('id', '=', id).executeTakeFirst();
  if (complaint) await assertCustomerInScope(db, scope, complaint.customer_id, 'complaint');
  return complaint;
}

export async function findComplaintIdByIdempotencyKey(db: Kysely<DB>, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('complaint').select('id').where('idempotency_key', '=', key).executeTakeFirst();
  return row?.id;
}

/** Updates a complaint still in status `from`; undefined when someone moved it meanwhile. */
export async function updateComplaintIfStatus(
  db: Kysely<DB>,
  scope: Scope,
  id: string,
  from: ComplaintStatus,
  patch: Updateable<ComplaintTable>,
): Promise<ComplaintRow | undefined> {
  return db
    .updateTable('complaint')
    .set(patch)
    .where('id', '=', id)
    .where('status', '=', from)
    .where(customerInScope(scope, 'complaint.customer_id'))
    .returningAll()
    .executeTakeFirst();
}

export interface ComplaintQuery {
  customerId?: string | null;
  branchId?: string | null;
  assigneeId?: string | null;
  kind?: readonly ComplaintKind[] | null;
  status?: readonly ComplaintStatus[] | null;
  severity?: readonly ComplaintSeverity[] | null;
  category?: readonly ComplaintCategory[] | null;
  channel?: readonly InteractionChannel[] | null;
  escalated?: boolean | null;
  receivedFrom?: Date | null;
  receivedTo?: Date | null;
}

function matches(scope: Scope, filter: ComplaintQuery) {
  return (eb: ExpressionBuilder<DB, 'complaint'>) => {
    const conditions: Expression<SqlBool>[] = [customerInScope(scope, 'complaint.customer_id')];
    if (filter.customerId) conditions.push(eb('complaint.customer_id', '=', filter.customerId));
    if (filter.branchId) conditions.push(customerInBranch('complaint.customer_id', filter.branchId));
    if (filter.assigneeId) conditions.push(eb('complaint.assignee_id', '=', filter.assigneeId));
    if (filter.kind?.length) conditions.push(eb('complaint.kind', 'in', [...filter.kind]));
    if (filter.status?.length) conditions.push(eb('complaint.status', 'in', [...filter.status]));
    if (filter.severity?.length) conditions.push(eb('complaint.severity', 'in', [...filter.severity]));
    if (filter.category?.length) conditions.push(eb('complaint.category', 'in', [...filter.category]));
    if (filter.channel?.length) conditions.push(eb('complaint.channel', 'in', [...filter.channel]));
    if (filter.escalated === true)
      conditions.push(eb.or([eb('complaint.acknowledge_escalated_at', 'is not', null), eb('complaint.resolve_escalated_at', 'is not', null)]));
    if (filter.escalated === false)
      conditions.push(eb.and([eb('complaint.acknowledge_escalated_at', 'is', null), eb('complaint.resolve_escalated_at', 'is', null)]));
    if (filter.receivedFrom) conditions.push(eb('complaint.received_at', '>=', filter.receivedFrom));
    if (filter.receivedTo) conditions.push(eb('complaint.received_at', '<', filter.receivedTo));
    return eb.and(conditions);
  };
}

/** Complaints matching a filter: newest first (keyset on id), or with `since` in change-feed order after it. */
export async function findComplaints(db: Kysely<DB>, scope: Scope, filter: ComplaintQuery, page: ListPage): Promise<Stamped<ComplaintRow>[]> {
  const base = db.selectFrom('complaint').selectAll('complaint').where(matches(scope, filter));
  if (page.since !== undefined) {
    return base
      .select(changeColumns('complaint'))
      .where(changeFeedFilter('complaint', page.since))
      .orderBy(changeOrder('complaint'))
      .limit(page.limit)
      .execute();
  }
  const afterId = page.after ? String(decodeCursor(page.after, 1)[0]) : null;
  return base
    .$if(afterId !== null, (q) => q.where('complaint.id', '<', afterId ?? ''))
    .orderBy('complaint.id', 'desc')
    .limit(page.limit)
    .execute();
}

/** How many complaints match (in a `changedSince` pull: changed after `since`). */
export async function countComplaints(db: Kysely<DB>, scope: Scope, filter: ComplaintQuery, since: ChangePosition | null | undefined): Promise<number> {
  const row = await db
    .selectFrom('complaint')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where(matches(scope, filter))
    .$if(since !== undefined, (q) => q.where(changeFeedFilter('complaint', since ?? null)))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The complaints of many customers (in scope), with the customer as `_parent`. */
const complaintsOfCustomers = (db: Kysely<DB>, scope: Scope, customerIds: readonly string[]) =>
  db
    .selectFrom('complaint')
    .selectAll()
    .select('customer_id as _parent')
    .where('customer_id', 'in', [...customerIds])
    .where(customerInScope(scope, 'complaint.customer_id'));

/** Per-customer order of complaints: newest first by id (UUIDv7: order received; unique, so no ties). */
const COMPLAINT_ORDER: readonly SortKey[] = [{ ref: 'id', type: 'text' }];

/** `Customer.complaints`: one page per customer after a cursor, in one statement (a window function). */
export async function findComplaintsOfCustomers(
  db: Kysely<DB>,
  scope: Scope,
  customerIds: readonly string[],
  window: PageWindow,
): Promise<Parented<ComplaintRow>[]> {
  if (!customerIds.length) return [];
  return windowPages<ComplaintRow>(db, complaintsOfCustomers(db, scope, customerIds), COMPLAINT_ORDER, 'desc', window);
}

/** Complaints per customer (`Customer.complaints` totalCount), one grouped statement. */
export async function countComplaintsOfCustomers(db: Kysely<DB>, scope: Scope, customerIds: readonly string[]): Promise<Map<string, number>> {
  if (!customerIds.length) return new Map();
  return countsOf(db, complaintsOfCustomers(db, scope, customerIds));
}

/** The status changes of many complaints (already read within the caller's scope), with the complaint as `_parent`. */
const historiesOfComplaints = (db: Kysely<DB>, complaintIds: readonly string[]) =>
  db
    .selectFrom('complaint_history')
    .selectAll()
    .select('complaint_id as _parent')
    .where('complaint_id', 'in', [...complaintIds]);

/** Per-complaint order of status changes: oldest first, ties on the instant broken by id. */
const HISTORY_ORDER: readonly SortKey[] = [
  { ref: 'changed_at', type: 'timestamptz' },
  { ref: 'id', type: 'text' },
];

/** `Complaint.history`: one page per complaint after a cursor, in one statement (a window function). */
export async function findHistoriesOfComplaints(db: Kysely<DB>, complaintIds: readonly string[], window: PageWindow): Promise<Parented<ComplaintHistoryRow>[]> {
  if (!complaintIds.length) return [];
  return windowPages<ComplaintHistoryRow>(db, historiesOfComplaints(db, complaintIds), HISTORY_ORDER, 'asc', window);
}

/** Status changes per complaint (`Complaint.history` totalCount), one grouped statement. */
export async function countHistoriesOfComplaints(db: Kysely<DB>, complaintIds: readonly string[]): Promise<Map<string, number>> {
  if (!complaintIds.length) return new Map();
  return countsOf(db, historiesOfComplaints(db, complaintIds));
}

/**
 * Marks, set-wise, the complaints that missed a deadline before `cutoff` and were not escalated
 * for it yet: unacknowledged past the acknowledgement deadline, unresolved past the resolution
 * deadline. Returns what was escalated (a second run for the same date finds nothing new).
 * The rule is `slaBreachesToEscalate` of the domain: same constants, and a test compares both.
 */
export async function escalateSlaBreaches(db: Kysely<DB>, cutoff: Date, at: Date): Promise<{ acknowledge: ComplaintRow[]; resolve: ComplaintRow[] }> {
  const acknowledge = await db
    .updateTable('complaint')
    .set({ acknowledge_escalated_at: at, updated_at: at })
    .where('kind', 'in', SLA_KINDS)
    .where('status', 'in', UNACKNOWLEDGED_STATUSES)
    .where('acknowledge_due_at', '<', cutoff)
    .where('acknowledge_escalated_at', 'is', null)
    .returningAll()
    .execute();
  const resolve = await db
    .updateTable('complaint')
    .set({ resolve_escalated_at: at, updated_at: at })
    .where('kind', 'in', SLA_KINDS)
    .where('status', 'in', UNRESOLVED_STATUSES)
    .where('resolve_due_at', '<', cutoff)
    .where('resolve_escalated_at', 'is', null)
    .returningAll()
    .execute();
  return { acknowledge, resolve };
}
