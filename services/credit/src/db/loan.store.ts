import type { PageWindow, Scope } from '@crm/service-kit';
import { decodeCursor } from '@crm/service-kit';
import type { Insertable, Updateable } from 'kysely';
import { type Kysely, sql } from 'kysely';
import type {
  DB,
  DelinquencyBucket,
  InstalmentRow,
  InstalmentTable,
  LoanRow,
  LoanStatus,
  LoanTable,
  NewLoan,
  RiskClass,
  RiskClassChangeRow,
} from './schema.ts';
import { assertLoanInScope, customerInScope } from './scope.ts';

/** A customer as credit knows it: a reference by id (the customers subgraph owns the rest). */
export interface CustomerRef {
  id: string;
}

/** Loans with these ids whose customer is in scope (others are left out). */
export async function findLoansByIds(db: Kysely<DB>, scope: Scope, ids: readonly string[]): Promise<LoanRow[]> {
  if (!ids.length) return [];
  return selectLoans(db)
    .where('id', 'in', [...ids])
    .where(customerInScope(scope, 'loan.customer_id'))
    .execute();
}

/** The loan by id: undefined when unknown, FORBIDDEN when its customer is outside the scope. */
export async function findLoanInScope(db: Kysely<DB>, scope: Scope, id: string): Promise<LoanRow | undefined> {
  await assertLoanInScope(db, scope, id);
  return (await findLoansByIds(db, scope, [id]))[0];
}

/**
 * A `date` column as YYYY-MM-DD text. Through the PGlite dialect `date` comes back as a JS Date
 * (the service-kit's string parser is not applied there; on pg it is a string), so rows whose
 * dates feed domain rules select them as text.
 */
export const dateText = (column: string) => sql<string>`to_char(${sql.ref(column)}, 'YYYY-MM-DD')`;

const loanColumns = [
  'id',
  'customer_id',
  'product_code',
  'status',
  'principal',
  'currency',
  'annual_rate',
  'term_months',
  'officer_id',
  'applied_at',
  'product_id',
  'term_count',
  'purpose',
  'branch_id',
  'approved_by',
  'approved_at',
  'applied_by',
  'disbursed_by',
  'written_off_by',
  'write_off_reason',
  'schedule_version',
  'loan_cycle',
  'idempotency_key',
  'dpd',
  'bucket',
  'computed_risk_class',
  'risk_class_override',
  'risk_class_override_reason',
  'risk_class',
  'first_approved_by',
  'first_approved_at',
  'published_bucket',
  'published_risk_class',
] as const;

/** Loan rows with their dates as YYYY-MM-DD strings on both engines. */
const selectLoans = (db: Kysely<DB>) =>
  db
    .selectFrom('loan')
    .select(loanColumns)
    .select([
      dateText('disbursed_on').as('disbursed_on'),
      dateText('closed_on').as('closed_on'),
      dateText('written_off_on').as('written_off_on'),
      dateText('delinquency_as_of').as('delinquency_as_of'),
    ]);

/**
 * The loan, locked for the rest of the transaction (status changes and repayments serialise on
 * it); FORBIDDEN (the transaction rolls back, nothing is written) when outside the scope.
 */
export async function lockLoan(tx: Kysely<DB>, scope: Scope, id: string): Promise<LoanRow | undefined> {
  await assertLoanInScope(tx, scope, id);
  return selectLoans(tx).where('id', '=', id).forUpdate().executeTakeFirst();
}

/** Every loan of these customers, newest first, in one query. */
export async function findLoansByCustomerIds(db: Kysely<DB>, scope: Scope, customerIds: readonly string[]): Promise<LoanRow[]> {
  if (!customerIds.length) return [];
  return selectLoans(db)
    .where('customer_id', 'in', [...customerIds])
    .where(customerInScope(scope, 'loan.customer_id'))
    .orderBy('id', 'desc')
    .execute();
}

export async function findLoanIdByIdempotencyKey(db: Kysely<DB>, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('loan').select('id').where('idempotency_key', '=', key).executeTakeFirst();
  return row?.id;
}

export async function insertLoan(db: Kysely<DB>, row: NewLoan): Promise<void> {
  await db.insertInto('loan').values(row).execute();
}

export async function updateLoan(db: Kysely<DB>, id: string, changes: Updateable<LoanTable>): Promise<void> {
  await db.updateTable('loan').set(changes).where('id', '=', id).execute();
}

/** How many loans of the customer were disbursed before (for the loan cycle). */
export async function countDisbursedLoans(db: Kysely<DB>, customerId: string): Promise<number> {
  const row = await db
    .selectFrom('loan')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('customer_id', '=', customerId)
    .where('disbursed_on', 'is not', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface LoanFilter {
  customerId?: string | null;
  status?: LoanStatus[] | null;
  productCode?: string | null;
  officerId?: string | null;
  branchId?: string | null;
  bucket?: DelinquencyBucket[] | null;
  riskClass?: RiskClass[] | null;
}

/** A page of loans, newest first (ids are UUIDv7: id order is creation order). */
export async function findLoansPage(db: Kysely<DB>, scope: Scope, filter: LoanFilter, window: PageWindow): Promise<LoanRow[]> {
  const after = window.after ? String(decodeCursor(window.after, 1)[0]) : null;
  return selectLoans(db)
    .where(customerInScope(scope, 'loan.customer_id'))
    .$if(!!filter.customerId, (q) => q.where('customer_id', '=', filter.customerId ?? ''))
    .$if(!!filter.status?.length, (q) => q.where('status', 'in', filter.status ?? []))
    .$if(!!filter.productCode, (q) => q.where('product_code', '=', filter.productCode ?? ''))
    .$if(!!filter.officerId, (q) => q.where('officer_id', '=', filter.officerId ?? ''))
    .$if(!!filter.branchId, (q) => q.where('branch_id', '=', filter.branchId ?? ''))
    .$if(!!filter.bucket?.length, (q) => q.where('bucket', 'in', filter.bucket ?? []))
    .$if(!!filter.riskClass?.length, (q) => q.where('risk_class', 'in', filter.riskClass ?? []))
    .$if(after !== null, (q) => q.where('id', '<', after ?? ''))
    .orderBy('id', 'desc')
    .limit(window.limit)
    .execute();
}

export async function insertInstalments(db: Kysely<DB>, rows: Insertable<InstalmentTable>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 1000)
    await db
      .insertInto('instalment')
      .values(rows.slice(i, i + 1000))
      .execute();
}

/** Schedules of several loans, each at a version (null: the loan's current one), in one query. */
export async function findSchedules(db: Kysely<DB>, keys: readonly { loanId: string; version: number | null }[]): Promise<InstalmentRow[]> {
  if (!keys.length) return [];
  return db
    .selectFrom('instalment as i')
    .innerJoin('loan as l', 'l.id', 'i.loan_id')
    .selectAll('i')
    .where((eb) =>
      eb.or(
        keys.map((k) =>
          eb.and([eb('i.loan_id', '=', k.loanId), k.version === null ? eb('i.version', '=', eb.ref('l.schedule_version')) : eb('i.version', '=', k.version)]),
        ),
      ),
    )
    .orderBy('i.loan_id')
    .orderBy('i.version')
    .orderBy('i.number')
    .execute();
}

/** The current schedule of a loan, locked for an allocation. */
export async function lockSchedule(tx: Kysely<DB>, loanId: string, version: number): Promise<InstalmentRow[]> {
  return tx
    .selectFrom('instalment')
    .select(['loan_id', 'version', 'number', 'principal', 'interest', 'principal_paid', 'interest_paid', 'penalty', 'penalty_paid', 'dpd', 'interest_waived'])
    .select([dateText('due_date').as('due_date'), dateText('paid_on').as('paid_on')])
    .where('loan_id', '=', loanId)
    .where('version', '=', version)
    .orderBy('number')
    .forUpdate()
    .execute();
}

/** Outstanding principal of each loan (principal minus principal repaid, current schedule). */
export async function findOutstandingPrincipal(db: Kysely<DB>, loanIds: readonly string[]): Promise<Map<string, string>> {
  if (!loanIds.length) return new Map();
  const rows = await db
    .selectFrom('loan as l')
    .leftJoin('instalment as i', (j) => j.onRef('i.loan_id', '=', 'l.id').onRef('i.version', '=', 'l.schedule_version'))
    .select([
      'l.id',
      sql<string>`coalesce(sum(i.principal - i.principal_paid), case when l.status in ('APPLIED', 'APPROVED') then 0 else l.principal end)`.as('outstanding'),
    ])
    .where('l.id', 'in', [...loanIds])
    .groupBy(['l.id'])
    .execute();
  return new Map(rows.map((r) => [r.id, r.outstanding]));
}

export async function insertRiskClassChange(db: Kysely<DB>, row: Insertable<DB['risk_class_change']>): Promise<void> {
  await db.insertInto('risk_class_change').values(row).execute();
}

export async function findRiskClassChanges(db: Kysely<DB>, loanIds: readonly string[]): Promise<RiskClassChangeRow[]> {
  if (!loanIds.length) return [];
  return db
    .selectFrom('risk_class_change')
    .selectAll()
    .where('loan_id', 'in', [...loanIds])
    .orderBy('changed_at')
    .orderBy('id')
    .execute();
}

/** Marks instalments that owe nothing as paid on the given dates (0.00 instalments, nothing left on them). */
export async function markInstalmentsPaid(tx: Kysely<DB>, loanId: string, version: number, paid: readonly { number: number; paidOn: string }[]): Promise<void> {
  for (const p of paid)
    await tx
      .updateTable('instalment')
      .set({ paid_on: p.paidOn })
      .where('loan_id', '=', loanId)
      .where('version', '=', version)
      .where('number', '=', p.number)
      .where('paid_on', 'is', null)
      .execute();
}
