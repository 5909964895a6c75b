import type { ChangePosition, KpiDimension, KpiSqlRow, Scope } from '@crm/service-kit';
import { changeColumns, changeFeedFilter, changeOrder, decodeCursor, kpiGroupColumn } from '@crm/service-kit';
import { type Expression, type ExpressionBuilder, type Insertable, type Kysely, type RawBuilder, type SqlBool, sql, type Updateable } from 'kysely';
import { APPLICATION_LEAD_KINDS, RESTRUCTURING_LEAD_KINDS, WORKED_LEAD_STATUSES } from '../domain/service-centre.ts';
import type { ListPage } from './filters.ts';
import type { KpiQuery } from './kpi.store.ts';
import type { DB, Stamped } from './schema.ts';
import { assertCustomerOrBranchInScope, customerOrBranchInScope } from './service-centre.scope.ts';
import type { LeadKind, LeadRow, LeadStatus, LeadTable } from './service-centre.tables.ts';

const inScope = (scope: Scope) => customerOrBranchInScope(scope, { customerId: 'lead.customer_id', branchId: 'lead.branch_id', ownerId: 'lead.owner_id' });

export async function insertLead(db: Kysely<DB>, row: Insertable<LeadTable>): Promise<void> {
  await db.insertInto('lead').values(row).execute();
}

/** Leads by id, only those in scope (nested reads). */
export async function findLeadsByIds(db: Kysely<DB>, scope: Scope, ids: readonly string[]): Promise<LeadRow[]> {
  if (!ids.length) return [];
  return db
    .selectFrom('lead')
    .selectAll()
    .where('id', 'in', [...ids])
    .where(inScope(scope))
    .execute();
}

/** The leads of enquiries (Enquiry.lead), only those in scope, in one statement. */
export async function findLeadsOfEnquiries(db: Kysely<DB>, scope: Scope, enquiryIds: readonly string[]): Promise<LeadRow[]> {
  if (!enquiryIds.length) return [];
  return db
    .selectFrom('lead')
    .selectAll()
    .where('enquiry_id', 'in', [...enquiryIds])
    .where(inScope(scope))
    .execute();
}

/** One lead by id: undefined when unknown, FORBIDDEN when outside the scope. */
export async function findLeadInScope(db: Kysely<DB>, scope: Scope, id: string): Promise<LeadRow | undefined> {
  const row = await db.selectFrom('lead').selectAll().where('id', '=', id).executeTakeFirst();
  if (row) await assertCustomerOrBranchInScope(db, scope, { customerId: row.customer_id, branchId: row.branch_id, ownerId: row.owner_id }, 'lead');
  return row;
}

/** Locks a lead until the transaction ends if it is still in status `from`; false when it moved meanwhile. */
export async function lockLeadInStatus(db: Kysely<DB>, id: string, from: LeadStatus): Promise<boolean> {
  const row = await db.selectFrom('lead').select('id').where('id', '=', id).where('status', '=', from).forUpdate().executeTakeFirst();
  return row !== undefined;
}

/** Updates a lead still in status `from`; undefined when someone (or credit's event) moved it meanwhile. */
export async function updateLeadIfStatus(
  db: Kysely<DB>,
  scope: Scope,
  id: string,
  from: LeadStatus,
  patch: Updateable<LeadTable>,
): Promise<LeadRow | undefined> {
  return db.updateTable('lead').set(patch).where('id', '=', id).where('status', '=', from).where(inScope(scope)).returningAll().executeTakeFirst();
}

/**
 * Converts, set-wise, the customer's leads that credit's fact converts (domain convertsLead: the
 * kinds of `by`, still being worked, created at or before `at`), recording what they became.
 * Returns them with their previous status; a lead converts once (a second event finds it CONVERTED).
 */
export async function convertLeads(
  db: Kysely<DB>,
  customerId: string,
  by: { kind: 'APPLICATION'; applicationId: string } | { kind: 'RESTRUCTURING'; restructuringId: string },
  at: Date,
): Promise<(LeadRow & { previous_status: LeadStatus })[]> {
  const kinds = by.kind === 'APPLICATION' ? APPLICATION_LEAD_KINDS : RESTRUCTURING_LEAD_KINDS;
  const converting = await db
    .selectFrom('lead')
    .select(['id', 'status'])
    .where('customer_id', '=', customerId)
    .where('kind', 'in', [...kinds])
    .where('status', 'in', [...WORKED_LEAD_STATUSES])
    .where('created_at', '<=', at)
    .orderBy('id')
    .forUpdate()
    .execute();
  if (!converting.length) return [];
  const rows = await db
    .updateTable('lead')
    .set({
      status: 'CONVERTED',
      closed_at: at,
      updated_at: at,
      ...(by.kind === 'APPLICATION' ? { application_id: by.applicationId } : { restructuring_id: by.restructuringId }),
    })
    .where(
      'id',
      'in',
      converting.map((l) => l.id),
    )
    .returningAll()
    .execute();
  const previous = new Map(converting.map((l) => [l.id, l.status]));
  return rows.sort((a, b) => (a.id < b.id ? -1 : 1)).map((r) => ({ ...r, previous_status: previous.get(r.id) ?? 'OPEN' }));
}

/**
 * Leads follow the relationship manager: the customer's leads still being worked held by the
 * previous manager (or by nobody) move to the new one; leads given to someone else stay. Returns
 * those moved with their previous owner.
 */
export async function reassignWorkedLeads(
  db: Kysely<DB>,
  customerId: string,
  previousManagerId: string | null,
  managerId: string,
  at: Date,
): Promise<{ id: string; kind: LeadKind; previousOwnerId: string | null }[]> {
  const moving = await db
    .selectFrom('lead')
    .select(['id', 'kind', 'owner_id'])
    .where('customer_id', '=', customerId)
    .where('status', 'in', [...WORKED_LEAD_STATUSES])
    .where((eb) => (previousManagerId ? eb.or([eb('owner_id', 'is', null), eb('owner_id', '=', previousManagerId)]) : eb('owner_id', 'is', null)))
    .where('owner_id', 'is distinct from', managerId)
    .orderBy('id')
    .forUpdate()
    .execute();
  if (!moving.length) return [];
  await db
    .updateTable('lead')
    .set({ owner_id: managerId, updated_at: at })
    .where(
      'id',
      'in',
      moving.map((l) => l.id),
    )
    .execute();
  return moving.map((l) => ({ id: l.id, kind: l.kind, previousOwnerId: l.owner_id }));
}

export interface LeadQuery {
  ownerId?: string | null;
  customerId?: string | null;
  branchId?: string | null;
  kind?: readonly LeadKind[] | null;
  status?: readonly LeadStatus[] | null;
  createdFrom?: Date | null;
  createdTo?: Date | null;
}

function matches(scope: Scope, filter: LeadQuery) {
  return (eb: ExpressionBuilder<DB, 'lead'>) => {
    const conditions: Expression<SqlBool>[] = [inScope(scope)];
    if (filter.ownerId) conditions.push(eb('lead.owner_id', '=', filter.ownerId));
    if (filter.customerId) conditions.push(eb('lead.customer_id', '=', filter.customerId));
    if (filter.branchId) conditions.push(eb('lead.branch_id', '=', filter.branchId));
    if (filter.kind?.length) conditions.push(eb('lead.kind', 'in', [...filter.kind]));
    if (filter.status?.length) conditions.push(eb('lead.status', 'in', [...filter.status]));
    if (filter.createdFrom) conditions.push(eb('lead.created_at', '>=', filter.createdFrom));
    if (filter.createdTo) conditions.push(eb('lead.created_at', '<', filter.createdTo));
    return eb.and(conditions);
  };
}

/** Leads matching a filter: newest first (keyset on id), or with `since` in change-feed order after it. */
export async function findLeads(db: Kysely<DB>, scope: Scope, filter: LeadQuery, page: ListPage): Promise<Stamped<LeadRow>[]> {
  const base = db.selectFrom('lead').selectAll('lead').where(matches(scope, filter));
  if (page.since !== undefined) {
    return base.select(changeColumns('lead')).where(changeFeedFilter('lead', page.since)).orderBy(changeOrder('lead')).limit(page.limit).execute();
  }
  const afterId = page.after ? String(decodeCursor(page.after, 1)[0]) : null;
  return base
    .$if(afterId !== null, (q) => q.where('lead.id', '<', afterId ?? ''))
    .orderBy('lead.id', 'desc')
    .limit(page.limit)
    .execute();
}

/** How many leads match (in a `changedSince` pull: changed after `since`). */
export async function countLeads(db: Kysely<DB>, scope: Scope, filter: LeadQuery, since: ChangePosition | null | undefined): Promise<number> {
  const row = await db
    .selectFrom('lead')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where(matches(scope, filter))
    .$if(since !== undefined, (q) => q.where(changeFeedFilter('lead', since ?? null)))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * LEAD_CONVERSION_RATE (formula in domain/service-centre.ts SERVICE_CENTRE_KPIS): the loan leads
 * (APPLICATION_LEAD_KINDS) created in the period, and those of them CONVERTED; grouped by the
 * lead's branch, owner or month created. Only leads in the caller's scope count.
 */
export async function leadConversionRate(db: Kysely<DB>, q: KpiQuery): Promise<KpiSqlRow[]> {
  const expressions: Partial<Record<KpiDimension, RawBuilder<unknown>>> = {
    BRANCH: sql`l.branch_id`,
    OFFICER: sql`l.owner_id`,
    MONTH: sql`to_char(l.created_at at time zone 'UTC', 'YYYY-MM')`,
  };
  const groups = q.groupBy.map((d) => {
    const e = expressions[d];
    if (!e) throw new Error(`LEAD_CONVERSION_RATE has no dimension ${d}`);
    return { d, e };
  });
  const select = groups.length ? sql`${sql.join(groups.map(({ d, e }) => sql`${e} as ${sql.id(kpiGroupColumn(d))}`))},` : sql``;
  const groupBy = groups.length ? sql`group by ${sql.join(groups.map(({ e }) => e))}` : sql``;
  const scoped = customerOrBranchInScope(q.scope, { customerId: 'l.customer_id', branchId: 'l.branch_id', ownerId: 'l.owner_id' });
  const result = await sql<KpiSqlRow>`
    select ${select} count(*) filter (where l.status = 'CONVERTED') as numerator, count(*) as denominator
      from lead l
     where l.kind in (${sql.join(APPLICATION_LEAD_KINDS.map((k) => sql`${k}`))})
       and l.created_at >= (${q.from}::date)::timestamp at time zone 'UTC'
       and l.created_at < (${q.to}::date + 1)::timestamp at time zone 'UTC'
       and ${scoped}
     ${groupBy}`.execute(db);
  return result.rows;
}
