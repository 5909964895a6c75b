import type { Connection } from '@crm/service-kit';
import type { ExpressionBuilder, Kysely, SelectQueryBuilder } from 'kysely';
import type { CustomerRow, DB, EnterpriseProfileRow, IndividualProfileRow, NewCustomer } from './schema.ts';

/** A customer with its profile, as resolvers see it. */
export interface CustomerRecord extends CustomerRow {
  individual: IndividualProfileRow | null;
  enterprise: EnterpriseProfileRow | null;
}

/** A page of customers and the filter that selected it (for totalCount). */
export type CustomerPage = Connection<CustomerRecord> & { filter: CustomerFilter };

export interface CustomerFilter {
  kind?: CustomerRow['kind'] | null;
  status?: CustomerRow['status'][] | null;
  branchId?: string | null;
  relationshipManagerId?: string | null;
  nameContains?: string | null;
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
export async function findCustomersByIds(db: Kysely<DB>, ids: readonly string[]): Promise<CustomerRecord[]> {
  if (!ids.length) return [];
  const rows = await selectCustomerRecords(db)
    .where('c.id', 'in', [...ids])
    .execute();
  return rows.map(toRecord);
}

export async function findCustomerIdByIdempotencyKey(db: Kysely<DB>, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('customer').select('id').where('idempotency_key', '=', key).executeTakeFirst();
  return row?.id;
}

function matchesFilter(filter: CustomerFilter) {
  return (eb: ExpressionBuilder<DB, 'customer'>) => {
    const conditions = [];
    if (filter.kind) conditions.push(eb('customer.kind', '=', filter.kind));
    if (filter.status?.length) conditions.push(eb('customer.status', 'in', filter.status));
    if (filter.branchId) conditions.push(eb('customer.branch_id', '=', filter.branchId));
    if (filter.relationshipManagerId) conditions.push(eb('customer.relationship_manager_id', '=', filter.relationshipManagerId));
    if (filter.nameContains) {
      const escaped = filter.nameContains.replace(/[\\%_]/g, (m) => `\\${m}`);
      conditions.push(eb('customer.display_name', 'ilike', `%${escaped}%`));
    }
    return eb.and(conditions);
  };
}

/**
 * One page of customers in id order (ids are UUIDv7, so this is registration order): a keyset
 * page costs the same at the millionth row as at the first.
 */
export async function listCustomers(db: Kysely<DB>, filter: CustomerFilter, page: { limit: number; afterId?: string | undefined }): Promise<CustomerRecord[]> {
  const ids = db
    .selectFrom('customer')
    .select('customer.id')
    .where(matchesFilter(filter))
    .$if(page.afterId !== undefined, (q: SelectQueryBuilder<DB, 'customer', { id: string }>) => q.where('customer.id', '>', page.afterId ?? ''))
    .orderBy('customer.id')
    .limit(page.limit);
  const rows = await selectCustomerRecords(db).where('c.id', 'in', ids).orderBy('c.id').execute();
  return rows.map(toRecord);
}

export async function countCustomers(db: Kysely<DB>, filter: CustomerFilter): Promise<number> {
  const row = await db
    .selectFrom('customer')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where(matchesFilter(filter))
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
