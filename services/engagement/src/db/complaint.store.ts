import type { ChangePosition, PageWindow, Scope } from '@crm/service-kit';
import { changeColumns, changeFeedFilter, changeOrder, decodeCursor } from '@crm/service-kit';
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

/** Complaints per customer (Customer.complaints totalCount), one grouped statement. */
export async function countComplaintsOfCustomers(db: Kysely<DB>, scope: Scope, customerIds: readonly string[]): Promise<{ key: string; n: number }[]> {
  if (!customerIds.length) return [];
  const rows = await db
    .selectFrom('complaint')
    .select((eb) => ['customer_id as key', eb.fn.countAll<string>().as('n')])
    .where('customer_id', 'in', [...customerIds])
    .where(customerInScope(scope, 'complaint.customer_id'))
    .groupBy('customer_id')
    .execute();
  return rows.map((r) => ({ key: r.key, n: Number(r.n) }));
}

/** Keyset of a status change in Complaint.history (oldest first; ties on the instant by id). */
export const historyCursor = (row: ComplaintHistoryRow) => [row.changed_at.toISOString(), row.id];

/** The status changes of several complaints, `limit` per complaint after a cursor, in one statement. */
export async function findHistoriesOfComplaints(db: Kysely<DB>, complaintIds: readonly string[], window: PageWindow): Promise<ComplaintHistoryRow[]> {
  if (!complaintIds.length) return [];
  const after = window.after ? decodeCursor(window.after, 2).map(String) : null;
  const ranked = db
    .selectFrom('complaint_history')
    .selectAll()
    .select((eb) =>
      eb.fn
        .agg<string>('row_number')
        .over((ob) => ob.partitionBy('complaint_id').orderBy('changed_at').orderBy('id'))
        .as('rn'),
    )
    .where('complaint_id', 'in', [...complaintIds])
    .$if(after !== null, (q) => q.where((eb) => eb(eb.refTuple('changed_at', 'id'), '>', eb.tuple(new Date(after?.[0] ?? ''), after?.[1] ?? ''))));
  const rows = await db
    .selectFrom(ranked.as('r'))
    .selectAll()
    .where('rn', '<=', String(window.limit))
    .orderBy('complaint_id')
    .orderBy('changed_at')
    .orderBy('id')
    .execute();
  return rows.map(({ rn: _rn, ...row }) => row);
}

/** Status changes per complaint (Complaint.history totalCount), one grouped statement. */
export async function countHistoriesOfComplaints(db: Kysely<DB>, complaintIds: readonly string[]): Promise<{ key: string; n: number }[]> {
  if (!complaintIds.length) return [];
  const rows = await db
    .selectFrom('complaint_history')
    .select((eb) => ['complaint_id as key', eb.fn.countAll<string>().as('n')])
    .where('complaint_id', 'in', [...complaintIds])
    .groupBy('complaint_id')
    .execute();
  return rows.map((r) => ({ key: r.key, n: Number(r.n) }));
}

/** Newest complaints of each customer, `limit` per customer, in one query. */
export async function findComplaintsOfCustomers(db: Kysely<DB>, scope: Scope, customerIds: readonly string[], window: PageWindow): Promise<ComplaintRow[]> {
  const afterId = window.after ? String(decodeCursor(window.after, 1)[0]) : null;
  const ranked = db
    .selectFrom('complaint')
    .selectAll()
    .select((eb) =>
      eb.fn
        .agg<string>('row_number')
        .over((ob) => ob.partitionBy('customer_id').orderBy('id', 'desc'))
        .as('rn'),
    )
    .where('customer_id', 'in', [...customerIds])
    .where(customerInScope(scope, 'complaint.customer_id'))
    .$if(afterId !== null, (q) => q.where('id', '<', afterId ?? ''));
  const rows = await db.selectFrom(ranked.as('r')).selectAll().where('rn', '<=', String(window.limit)).orderBy('customer_id').orderBy('id', 'desc').execute();
  return rows.map(({ rn: _rn, ...row }) => row);
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
