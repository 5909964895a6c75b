import type { ChangePosition, PageWindow, Parented, Scope, SortKey } from '@crm/service-kit';
import { changeColumns, changeFeedFilter, changeOrder, countsOf, decodeCursor, forbidden, inScope, windowPages } from '@crm/service-kit';
import { type Expression, type ExpressionBuilder, type Insertable, type Kysely, type SqlBool, sql, type Updateable } from 'kysely';
import { OPEN_CONSULTATION_STATUSES } from '../domain/experts.ts';
import type { ListPage } from './filters.ts';
import type { DB, Stamped } from './schema.ts';
import { customerInScope } from './scope.ts';
import type { ConsultationRow, ConsultationStatus, ConsultationTable, ExpertField } from './service-centre.tables.ts';

/**
 * Who sees a consultation: the caller's branch scope over its customer (through the replica), and
 * the two staff members it involves whatever their branch: who asked, and the expert asked (an
 * institution-wide expert answers about customers of every branch).
 */
export interface ConsultationViewer {
  scope: Scope;
  userId: string;
}

function visible(viewer: ConsultationViewer): Expression<SqlBool> {
  if (viewer.scope.kind === 'all') return sql<SqlBool>`true`;
  return sql<SqlBool>`(consultation.requester_id = ${viewer.userId} or consultation.expert_user_id = ${viewer.userId} or ${customerInScope(viewer.scope, 'consultation.customer_id')})`;
}

const isOpen = (eb: ExpressionBuilder<DB, 'consultation'>) => eb('consultation.status', 'in', [...OPEN_CONSULTATION_STATUSES]);

/** Overdue in SQL: the rule of domain/experts.ts isConsultationOverdue (open statuses, due before now). */
const overdue = (eb: ExpressionBuilder<DB, 'consultation'>, now: Date) => eb.and([isOpen(eb), eb('consultation.due_at', '<', now)]);
const notOverdue = (eb: ExpressionBuilder<DB, 'consultation'>, now: Date) => eb.or([eb.not(isOpen(eb)), eb('consultation.due_at', '>=', now)]);

export async function insertConsultation(db: Kysely<DB>, row: Insertable<ConsultationTable>): Promise<void> {
  await db.insertInto('consultation').values(row).execute();
}

export async function findConsultationIdByIdempotencyKey(db: Kysely<DB>, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('consultation').select('id').where('idempotency_key', '=', key).executeTakeFirst();
  return row?.id;
}

export async function findConsultationsByIds(db: Kysely<DB>, viewer: ConsultationViewer, ids: readonly string[]): Promise<ConsultationRow[]> {
  if (!ids.length) return [];
  return db
    .selectFrom('consultation')
    .selectAll()
    .where('id', 'in', [...ids])
    .where(visible(viewer))
    .execute();
}

/** One consultation by id: undefined when unknown, FORBIDDEN when the caller may not see it. */
export async function findConsultationForViewer(db: Kysely<DB>, viewer: ConsultationViewer, id: string): Promise<ConsultationRow | undefined> {
  const row = await db.selectFrom('consultation').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || viewer.scope.kind === 'all' || row.requester_id === viewer.userId || row.expert_user_id === viewer.userId) return row;
  const c = await db.selectFrom('customer_replica').select(['branch_id', 'relationship_manager_id']).where('id', '=', row.customer_id).executeTakeFirst();
  if (!inScope(viewer.scope, { branchId: c?.branch_id ?? null, managerId: c?.relationship_manager_id ?? null }))
    throw forbidden('This consultation is outside your branch');
  return row;
}

/** Updates a consultation still in status `from`; undefined when it moved meanwhile. */
export async function updateConsultationIfStatus(
  db: Kysely<DB>,
  id: string,
  from: ConsultationStatus,
  patch: Updateable<ConsultationTable>,
): Promise<ConsultationRow | undefined> {
  return db.updateTable('consultation').set(patch).where('id', '=', id).where('status', '=', from).returningAll().executeTakeFirst();
}

export interface ConsultationQuery {
  expertId?: string | null;
  expertUserId?: string | null;
  requesterId?: string | null;
  customerId?: string | null;
  loanId?: string | null;
  field?: readonly ExpertField[] | null;
  status?: readonly ConsultationStatus[] | null;
  overdue?: boolean | null;
  requestedFrom?: Date | null;
  requestedTo?: Date | null;
}

function matches(viewer: ConsultationViewer, filter: ConsultationQuery, now: Date) {
  return (eb: ExpressionBuilder<DB, 'consultation'>) => {
    const conditions: Expression<SqlBool>[] = [visible(viewer)];
    if (filter.expertId) conditions.push(eb('consultation.expert_id', '=', filter.expertId));
    if (filter.expertUserId) conditions.push(eb('consultation.expert_user_id', '=', filter.expertUserId));
    if (filter.requesterId) conditions.push(eb('consultation.requester_id', '=', filter.requesterId));
    if (filter.customerId) conditions.push(eb('consultation.customer_id', '=', filter.customerId));
    if (filter.loanId) conditions.push(eb('consultation.loan_id', '=', filter.loanId));
    if (filter.field?.length) conditions.push(eb('consultation.field', 'in', [...filter.field]));
    if (filter.status?.length) conditions.push(eb('consultation.status', 'in', [...filter.status]));
    if (filter.overdue === true) conditions.push(overdue(eb, now));
    if (filter.overdue === false) conditions.push(notOverdue(eb, now));
    if (filter.requestedFrom) conditions.push(eb('consultation.requested_at', '>=', filter.requestedFrom));
    if (filter.requestedTo) conditions.push(eb('consultation.requested_at', '<', filter.requestedTo));
    return eb.and(conditions);
  };
}

/** Consultations matching a filter: newest first (keyset on id), or with `since` in change-feed order after it. */
export async function findConsultations(
  db: Kysely<DB>,
  viewer: ConsultationViewer,
  filter: ConsultationQuery,
  page: ListPage,
  now: Date,
): Promise<Stamped<ConsultationRow>[]> {
  const base = db
    .selectFrom('consultation')
    .selectAll('consultation')
    .where(matches(viewer, filter, now));
  if (page.since !== undefined) {
    return base
      .select(changeColumns('consultation'))
      .where(changeFeedFilter('consultation', page.since))
      .orderBy(changeOrder('consultation'))
      .limit(page.limit)
      .execute();
  }
  const afterId = page.after ? String(decodeCursor(page.after, 1)[0]) : null;
  return base
    .$if(afterId !== null, (q) => q.where('consultation.id', '<', afterId ?? ''))
    .orderBy('consultation.id', 'desc')
    .limit(page.limit)
    .execute();
}

/** How many consultations match (in a `changedSince` pull: changed after `since`). */
export async function countConsultations(
  db: Kysely<DB>,
  viewer: ConsultationViewer,
  filter: ConsultationQuery,
  since: ChangePosition | null | undefined,
  now: Date,
): Promise<number> {
  const row = await db
    .selectFrom('consultation')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where(matches(viewer, filter, now))
    .$if(since !== undefined, (q) => q.where(changeFeedFilter('consultation', since ?? null)))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** What Customer.consultations is filtered by. */
export interface CustomerConsultationFilter {
  status: readonly ConsultationStatus[] | null;
  overdue: boolean | null;
}

/** The consultations of these customers the viewer may see (filtered), each with its customer as `_parent` (windowPages, countsOf). */
const consultationsOfCustomers = (db: Kysely<DB>, viewer: ConsultationViewer, customerIds: readonly string[], filter: CustomerConsultationFilter, now: Date) =>
  db
    .selectFrom('consultation')
    .selectAll()
    .select('customer_id as _parent')
    .where('customer_id', 'in', [...customerIds])
    .where(matches(viewer, { status: filter.status, overdue: filter.overdue }, now));

const CONSULTATION_ORDER: readonly SortKey[] = [{ ref: 'id', type: 'text' }];

/** `Customer.consultations`: one page per customer, newest first (by id), in one statement. */
export async function findConsultationsOfCustomers(
  db: Kysely<DB>,
  viewer: ConsultationViewer,
  customerIds: readonly string[],
  window: PageWindow & CustomerConsultationFilter & { now: Date },
): Promise<Parented<ConsultationRow>[]> {
  if (!customerIds.length) return [];
  const inner = consultationsOfCustomers(db, viewer, customerIds, window, window.now);
  return windowPages<ConsultationRow>(db, inner, CONSULTATION_ORDER, 'desc', { limit: window.limit, after: window.after });
}

/** Consultations per customer (Customer.consultations totalCount), one grouped statement. */
export async function countConsultationsOfCustomers(
  db: Kysely<DB>,
  viewer: ConsultationViewer,
  customerIds: readonly string[],
  filter: CustomerConsultationFilter,
  now: Date,
): Promise<Map<string, number>> {
  if (!customerIds.length) return new Map();
  return countsOf(db, consultationsOfCustomers(db, viewer, customerIds, filter, now));
}
