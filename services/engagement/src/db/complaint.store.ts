import type { PageWindow, Scope } from '@crm/service-kit';
import { decodeCursor } from '@crm/service-kit';
import type { Insertable, Kysely, Updateable } from 'kysely';
import { SLA_KINDS, UNACKNOWLEDGED_STATUSES, UNRESOLVED_STATUSES } from '../domain/complaints.ts';
import type {
  ComplaintCategory,
  ComplaintHistoryTable,
  ComplaintRow,
  ComplaintSeverity,
  ComplaintSlaRow,
  ComplaintStatus,
  ComplaintTable,
  DB,
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

export async function findComplaintHistories(db: Kysely<DB>, complaintIds: readonly string[]) {
  if (!complaintIds.length) return [];
  return db
    .selectFrom('complaint_history')
    .selectAll()
    .where('complaint_id', 'in', [...complaintIds])
    .orderBy('id')
    .execute();
}

export interface ComplaintQuery {
  customerId?: string | null;
  status?: readonly ComplaintStatus[] | null;
  severity?: readonly ComplaintSeverity[] | null;
  category?: readonly ComplaintCategory[] | null;
  escalated?: boolean | null;
}

/** Complaints matching a filter, newest first (keyset on id). */
export async function findComplaints(db: Kysely<DB>, scope: Scope, filter: ComplaintQuery, window: PageWindow): Promise<ComplaintRow[]> {
  const afterId = window.after ? String(decodeCursor(window.after, 1)[0]) : null;
  return db
    .selectFrom('complaint')
    .selectAll()
    .where(customerInScope(scope, 'complaint.customer_id'))
    .$if(!!filter.customerId, (q) => q.where('customer_id', '=', filter.customerId ?? ''))
    .$if(!!filter.status?.length, (q) => q.where('status', 'in', [...(filter.status ?? [])]))
    .$if(!!filter.severity?.length, (q) => q.where('severity', 'in', [...(filter.severity ?? [])]))
    .$if(!!filter.category?.length, (q) => q.where('category', 'in', [...(filter.category ?? [])]))
    .$if(filter.escalated === true, (q) => q.where((eb) => eb.or([eb('acknowledge_escalated_at', 'is not', null), eb('resolve_escalated_at', 'is not', null)])))
    .$if(filter.escalated === false, (q) => q.where('acknowledge_escalated_at', 'is', null).where('resolve_escalated_at', 'is', null))
    .$if(afterId !== null, (q) => q.where('id', '<', afterId ?? ''))
    .orderBy('id', 'desc')
    .limit(window.limit)
    .execute();
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
