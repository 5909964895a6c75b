import {
  assertInScope,
  type ChangePosition,
  type ChangeStamped,
  type Connection,
  changeColumns,
  changeFeedFilter,
  changeOrder,
  endOfDate,
  forbidden,
  inScope,
  inScopeSql,
  type Scope,
  startOfDate,
} from '@crm/service-kit';
import type { Expression, ExpressionBuilder, Kysely, SelectQueryBuilder, SqlBool } from 'kysely';
import type { ProfileChange } from '../domain/profile.ts';
import type { SegmentRule } from '../domain/segment-rule.ts';
import type { CustomerRow, DB, EnterpriseProfileRow, Grade, IncomeBand, IndividualProfileRow, NewCustomer, RiskAppetite } from './schema.ts';
import { compileSegmentRule } from './segment-rule.sql.ts';

/** A customer with its profile, as resolvers see it. */
export interface CustomerRecord extends CustomerRow {
  individual: IndividualProfileRow | null;
  enterprise: EnterpriseProfileRow | null;
}

/** A page of customers and the filter that selected it (for totalCount). */
export type CustomerPage = Connection<CustomerRecord> & { filter: CustomerCriteria; scope: Scope };

export interface CustomerFilter {
  kind?: CustomerRow['kind'] | null;
  status?: CustomerRow['status'][] | null;
  branchId?: string | null;
  relationshipManagerId?: string | null;
  nameContains?: string | null;
  grade?: Grade[] | null;
  stale?: boolean | null;
  segmentId?: string | null;
  region?: string | null;
  incomeBand?: IncomeBand[] | null;
  riskAppetite?: RiskAppetite | null;
  tag?: string | null;
  industry?: string | null;
  occupation?: string | null;
  specialCare?: boolean | null;
  ageBand?: string[] | null;
  delinquencyBucket?: string[] | null;
  /** Registered on or after this date (YYYY-MM-DD). */
  registeredFrom?: string | null;
  /** Registered on or before this date. */
  registeredTo?: string | null;
  /** Last changed on or after this date. */
  updatedFrom?: string | null;
  /** Last changed on or before this date. */
  updatedTo?: string | null;
}

/** A filter with what it needs resolved: the date, the stale cut-off and the segment's rule. */
export interface CustomerCriteria extends CustomerFilter {
  today: string;
  /** Profiles reviewed before this instant are stale. */
  staleBefore: Date;
  /** The rule of filter.segmentId; null when that segment does not exist (no member). */
  segmentRule?: SegmentRule | null;
}

function selectCustomerRecords(db: Kysely<DB>) {
  return db
    .selectFrom('customer as c')
    .leftJoin('individual_profile as ip', 'ip.customer_id', 'c.id')
    .leftJoin('enterprise_profile as ep', 'ep.customer_id', 'c.id')
    .selectAll('c')
    .select([
      'ip.customer_id as ip_customer_id',
      'ip.first_name',
      'ip.last_name',
      'ip.gender',
      'ip.birth_date',
      'ip.national_id',
      'ip.occupation',
      'ip.employer',
      'ep.customer_id as ep_customer_id',
      'ep.legal_name',
      'ep.registration_number',
      'ep.industry',
      'ep.size',
      'ep.founded_on',
      'ep.legal_representative',
      'ep.annual_revenue',
      'ep.employees',
    ]);
}

type JoinedRow = Awaited<ReturnType<ReturnType<typeof selectCustomerRecords>['execute']>>[number];

function toRecord(row: JoinedRow): CustomerRecord {
  const {
    ip_customer_id,
    first_name,
    last_name,
    gender,
    birth_date,
    national_id,
    occupation,
    employer,
    ep_customer_id,
    legal_name,
    registration_number,
    industry,
    size,
    founded_on,
    legal_representative,
    annual_revenue,
    employees,
    ...customer
  } = row;
  return {
    ...customer,
    individual:
      ip_customer_id && first_name !== null && last_name !== null
        ? { customer_id: ip_customer_id, first_name, last_name, gender, birth_date, national_id, occupation, employer }
        : null,
    enterprise:
      ep_customer_id && legal_name !== null && registration_number !== null
        ? {
            customer_id: ep_customer_id,
            legal_name,
            registration_number,
            industry,
            size,
            founded_on,
            legal_representative,
            annual_revenue,
            employees,
          }
        : null,
  };
}

/** Customers by id in one query (batched federation references and `customer(id)`). */
export async function findCustomersByIds(db: Kysely<DB>, ids: readonly string[], options: { forUpdate?: boolean } = {}): Promise<CustomerRecord[]> {
  if (!ids.length) return [];
  const rows = await selectCustomerRecords(db)
    .where('c.id', 'in', [...ids])
    .$if(options.forUpdate === true, (q) => q.forUpdate('c'))
    .execute();
  return rows.map(toRecord);
}

/**
 * Customers by id for a caller: each id maps to its record, to a FORBIDDEN error when the
 * customer is outside the caller's scope, or is absent when no customer has it.
 */
export async function findCustomersForCaller(db: Kysely<DB>, scope: Scope, ids: readonly string[]): Promise<Map<string, CustomerRecord | Error>> {
  const out = new Map<string, CustomerRecord | Error>();
  for (const record of await findCustomersByIds(db, ids)) {
    out.set(
      record.id,
      inScope(scope, { branchId: record.branch_id, managerId: record.relationship_manager_id }) ? record : forbidden('This customer is outside your branch'),
    );
  }
  return out;
}

/** Ids of the customers within a scope, as a subquery for the tables that hang off a customer. */
export function customerIdsInScope(db: Kysely<DB>, scope: Scope) {
  return db
    .selectFrom('customer')
    .select('customer.id')
    .where(inScopeSql(scope, 'customer.branch_id', 'customer.relationship_manager_id'));
}

export async function findCustomerIdByIdempotencyKey(db: Kysely<DB>, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('customer').select('id').where('idempotency_key', '=', key).executeTakeFirst();
  return row?.id;
}

/** The WHERE of a customer filter; attributes shared with segments compile through the rule compiler. */
export function matchesFilter(filter: CustomerCriteria) {
  return (eb: ExpressionBuilder<DB, 'customer'>) => {
    const conditions: Expression<SqlBool>[] = [];
    const rule = (r: SegmentRule) => conditions.push(compileSegmentRule(eb, r, filter.today));
    if (filter.grade?.length) conditions.push(eb('customer.grade', 'in', filter.grade));
    if (filter.incomeBand?.length) conditions.push(eb('customer.income_band', 'in', filter.incomeBand));
    if (filter.riskAppetite) conditions.push(eb('customer.risk_appetite', '=', filter.riskAppetite));
    if (filter.region) rule({ attribute: 'region', op: 'eq', value: filter.region });
    if (filter.industry) rule({ attribute: 'industry', op: 'eq', value: filter.industry });
    if (filter.occupation) rule({ attribute: 'occupation', op: 'eq', value: filter.occupation });
    if (filter.tag) rule({ attribute: 'tags', op: 'contains', value: filter.tag });
    if (filter.ageBand?.length) rule({ attribute: 'ageBand', op: 'in', value: filter.ageBand });
    if (filter.delinquencyBucket?.length) rule({ attribute: 'delinquencyBucket', op: 'in', value: filter.delinquencyBucket });
    if (filter.specialCare === true) conditions.push(eb(eb.fn('cardinality', ['customer.special_care']), '>', 0));
    if (filter.specialCare === false) conditions.push(eb(eb.fn('cardinality', ['customer.special_care']), '=', 0));
    if (filter.stale === true) conditions.push(eb.or([eb('customer.reviewed_at', 'is', null), eb('customer.reviewed_at', '<', filter.staleBefore)]));
    if (filter.stale === false) conditions.push(eb('customer.reviewed_at', '>=', filter.staleBefore));
    if (filter.segmentId) {
      if (filter.segmentRule) rule(filter.segmentRule);
      else conditions.push(eb.lit(false));
    }
    if (filter.kind) conditions.push(eb('customer.kind', '=', filter.kind));
    if (filter.status?.length) conditions.push(eb('customer.status', 'in', filter.status));
    if (filter.branchId) conditions.push(eb('customer.branch_id', '=', filter.branchId));
    if (filter.relationshipManagerId) conditions.push(eb('customer.relationship_manager_id', '=', filter.relationshipManagerId));
    if (filter.registeredFrom) conditions.push(eb('customer.created_at', '>=', startOfDate(filter.registeredFrom)));
    if (filter.registeredTo) conditions.push(eb('customer.created_at', '<', endOfDate(filter.registeredTo)));
    if (filter.updatedFrom) conditions.push(eb('customer.updated_at', '>=', startOfDate(filter.updatedFrom)));
    if (filter.updatedTo) conditions.push(eb('customer.updated_at', '<', endOfDate(filter.updatedTo)));
    if (filter.nameContains) {
      const escaped = filter.nameContains.replace(/[\\%_]/g, (m) => `\\${m}`);
      conditions.push(eb('customer.display_name', 'ilike', `%${escaped}%`));
    }
    return eb.and(conditions);
  };
}

/**
 * One page of customers in id order (ids are UUIDv7, so this is registration order): a keyset
 * page costs the same at the millionth row as at the first. With `since` (a `changedSince`
 * pull), the page follows the change feed instead (service-kit change-feed.ts): customers
 * registered or changed after that position, in feed order, each with its change stamp.
 */
export async function listCustomers(
  db: Kysely<DB>,
  scope: Scope,
  filter: CustomerCriteria,
  page: { limit: number; afterId?: string | undefined; since?: ChangePosition | null | undefined },
): Promise<(CustomerRecord & Partial<ChangeStamped>)[]> {
  const feed = page.since !== undefined;
  const ids = db
    .selectFrom('customer')
    .select('customer.id')
    .where(matchesFilter(filter))
    .where(inScopeSql(scope, 'customer.branch_id', 'customer.relationship_manager_id'))
    .$if(page.afterId !== undefined, (q: SelectQueryBuilder<DB, 'customer', { id: string }>) => q.where('customer.id', '>', page.afterId ?? ''))
    .$if(feed, (q) => q.where(changeFeedFilter('customer', page.since ?? null)).orderBy(changeOrder('customer')))
    .$if(!feed, (q) => q.orderBy('customer.id'))
    .limit(page.limit);
  if (feed) {
    const rows = await selectCustomerRecords(db).select(changeColumns('c')).where('c.id', 'in', ids).orderBy(changeOrder('c')).execute();
    return rows.map((row) => ({ ...toRecord(row), change_txid: row.change_txid, change_seq: row.change_seq }));
  }
  const rows = await selectCustomerRecords(db).where('c.id', 'in', ids).orderBy('c.id').execute();
  return rows.map(toRecord);
}

export async function countCustomers(db: Kysely<DB>, scope: Scope, filter: CustomerCriteria): Promise<number> {
  const row = await db
    .selectFrom('customer')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where(matchesFilter(filter))
    .where(inScopeSql(scope, 'customer.branch_id', 'customer.relationship_manager_id'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface NewCustomerProfile {
  customer: NewCustomer;
  individual: Omit<IndividualProfileRow, 'customer_id'> | null;
  enterprise: Omit<EnterpriseProfileRow, 'customer_id'> | null;
}

export async function insertCustomer(tx: Kysely<DB>, input: NewCustomerProfile): Promise<void> {
  await tx.insertInto('customer').values(input.customer).execute();
  if (input.individual)
    await tx
      .insertInto('individual_profile')
      .values({ customer_id: input.customer.id, ...input.individual })
      .execute();
  if (input.enterprise)
    await tx
      .insertInto('enterprise_profile')
      .values({ customer_id: input.customer.id, ...input.enterprise })
      .execute();
}

/** Applies validated profile changes to their tables (one UPDATE per table touched). */
export async function applyProfileChanges(
  db: Kysely<DB>,
  customerId: string,
  changes: ProfileChange[],
  customer: { updated_at: Date; display_name?: string },
): Promise<void> {
  const values = (table: ProfileChange['table']) => Object.fromEntries(changes.filter((c) => c.table === table).map((c) => [c.column, c.value]));
  await db
    .updateTable('customer')
    .set({ ...values('customer'), ...customer })
    .where('id', '=', customerId)
    .execute();
  const individual = values('individual_profile');
  if (Object.keys(individual).length) await db.updateTable('individual_profile').set(individual).where('customer_id', '=', customerId).execute();
  const enterprise = values('enterprise_profile');
  if (Object.keys(enterprise).length) await db.updateTable('enterprise_profile').set(enterprise).where('customer_id', '=', customerId).execute();
}

export async function updateCustomer(
  db: Kysely<DB>,
  customerId: string,
  values: Partial<Pick<CustomerRow, 'status' | 'relationship_manager_id' | 'reviewed_at' | 'special_care' | 'special_care_note' | 'updated_at'>>,
): Promise<void> {
  await db.updateTable('customer').set(values).where('id', '=', customerId).execute();
}

/**
 * Locks a customer row for the rest of the transaction (concurrent changes queue behind).
 * Undefined when no customer has this id; FORBIDDEN (nothing written: the caller's transaction
 * rolls back) when the customer is outside the caller's scope.
 */
export async function lockCustomer(db: Kysely<DB>, scope: Scope, customerId: string): Promise<CustomerRow | undefined> {
  const row = await db.selectFrom('customer').selectAll().where('id', '=', customerId).forUpdate().executeTakeFirst();
  if (row) assertInScope(scope, { branchId: row.branch_id, managerId: row.relationship_manager_id });
  return row;
}

/** A customer with its profile, locked, for a change by a caller (FORBIDDEN outside the scope). */
export async function lockCustomerRecord(db: Kysely<DB>, scope: Scope, customerId: string): Promise<CustomerRecord | undefined> {
  const [row] = await findCustomersByIds(db, [customerId], { forUpdate: true });
  if (row) assertInScope(scope, { branchId: row.branch_id, managerId: row.relationship_manager_id });
  return row;
}
