import type { ChangePosition, Scope } from '@crm/service-kit';
import { changeColumns, changeFeedFilter, changeOrder, decodeCursor } from '@crm/service-kit';
import type { Expression, ExpressionBuilder, Insertable, Kysely, SqlBool, Updateable } from 'kysely';
import type { InteractionChannel } from '../domain/types.ts';
import type { ListPage } from './filters.ts';
import type { DB, Stamped } from './schema.ts';
import { assertCustomerOrBranchInScope, customerOrBranchInScope } from './service-centre.scope.ts';
import type { EnquiryRow, EnquiryStatus, EnquiryTable } from './service-centre.tables.ts';

const inScope = (scope: Scope) => customerOrBranchInScope(scope, { customerId: 'enquiry.customer_id', branchId: 'enquiry.branch_id' });

export async function insertEnquiry(db: Kysely<DB>, row: Insertable<EnquiryTable>): Promise<void> {
  await db.insertInto('enquiry').values(row).execute();
}

export async function findEnquiryIdByIdempotencyKey(db: Kysely<DB>, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('enquiry').select('id').where('idempotency_key', '=', key).executeTakeFirst();
  return row?.id;
}

/** Enquiries by id, only those in scope (nested reads). */
export async function findEnquiriesByIds(db: Kysely<DB>, scope: Scope, ids: readonly string[]): Promise<EnquiryRow[]> {
  if (!ids.length) return [];
  return db
    .selectFrom('enquiry')
    .selectAll()
    .where('id', 'in', [...ids])
    .where(inScope(scope))
    .execute();
}

/** One enquiry by id: undefined when unknown, FORBIDDEN when outside the scope. */
export async function findEnquiryInScope(db: Kysely<DB>, scope: Scope, id: string): Promise<EnquiryRow | undefined> {
  const row = await db.selectFrom('enquiry').selectAll().where('id', '=', id).executeTakeFirst();
  if (row) await assertCustomerOrBranchInScope(db, scope, { customerId: row.customer_id, branchId: row.branch_id }, 'enquiry');
  return row;
}

/** Updates an enquiry still in status `from`; undefined when someone moved it meanwhile. */
export async function updateEnquiryIfStatus(
  db: Kysely<DB>,
  scope: Scope,
  id: string,
  from: EnquiryStatus,
  patch: Updateable<EnquiryTable>,
): Promise<EnquiryRow | undefined> {
  return db.updateTable('enquiry').set(patch).where('id', '=', id).where('status', '=', from).where(inScope(scope)).returningAll().executeTakeFirst();
}

export interface EnquiryQuery {
  customerId?: string | null;
  branchId?: string | null;
  channel?: readonly InteractionChannel[] | null;
  status?: readonly EnquiryStatus[] | null;
  receivedFrom?: Date | null;
  receivedTo?: Date | null;
}

function matches(scope: Scope, filter: EnquiryQuery) {
  return (eb: ExpressionBuilder<DB, 'enquiry'>) => {
    const conditions: Expression<SqlBool>[] = [inScope(scope)];
    if (filter.customerId) conditions.push(eb('enquiry.customer_id', '=', filter.customerId));
    if (filter.branchId) conditions.push(eb('enquiry.branch_id', '=', filter.branchId));
    if (filter.channel?.length) conditions.push(eb('enquiry.channel', 'in', [...filter.channel]));
    if (filter.status?.length) conditions.push(eb('enquiry.status', 'in', [...filter.status]));
    if (filter.receivedFrom) conditions.push(eb('enquiry.received_at', '>=', filter.receivedFrom));
    if (filter.receivedTo) conditions.push(eb('enquiry.received_at', '<', filter.receivedTo));
    return eb.and(conditions);
  };
}

/** Enquiries matching a filter: newest first (keyset on id), or with `since` in change-feed order after it. */
export async function findEnquiries(db: Kysely<DB>, scope: Scope, filter: EnquiryQuery, page: ListPage): Promise<Stamped<EnquiryRow>[]> {
  const base = db.selectFrom('enquiry').selectAll('enquiry').where(matches(scope, filter));
  if (page.since !== undefined) {
    return base.select(changeColumns('enquiry')).where(changeFeedFilter('enquiry', page.since)).orderBy(changeOrder('enquiry')).limit(page.limit).execute();
  }
  const afterId = page.after ? String(decodeCursor(page.after, 1)[0]) : null;
  return base
    .$if(afterId !== null, (q) => q.where('enquiry.id', '<', afterId ?? ''))
    .orderBy('enquiry.id', 'desc')
    .limit(page.limit)
    .execute();
}

/** How many enquiries match (in a `changedSince` pull: changed after `since`). */
export async function countEnquiries(db: Kysely<DB>, scope: Scope, filter: EnquiryQuery, since: ChangePosition | null | undefined): Promise<number> {
  const row = await db
    .selectFrom('enquiry')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where(matches(scope, filter))
    .$if(since !== undefined, (q) => q.where(changeFeedFilter('enquiry', since ?? null)))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
