import type { PageWindow, Scope } from '@crm/service-kit';
import { countsOf, type Listed, type ListPage, pageQuery, type SortKey, windowPages } from '@crm/service-kit';
import type { Insertable, RawBuilder, Updateable } from 'kysely';
import { type Kysely, sql } from 'kysely';
import type {
  DB,
  DelinquencyBucket,
  InstalmentRow,
  InstalmentTable,
  LoanDelinquencyRow,
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
  'disbursement_fee',
  'net_disbursed',
  'effective_annual_rate',
  // the principal the schedule amortises (migration 0040)
  'financed_amount',
  // loyalty pricing at application (migration 0030)
  'base_annual_rate',
  'pricing_tier',
  'rate_discount_bps',
  'rate_discount',
  'floor_rate',
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
      dateText('first_due_date').as('first_due_date'),
      dateText('approved_on').as('approved_on'),
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

/** The filters every credit list shares, on the loan a record belongs to. */
export interface LoanAttributeFilter {
  customerId?: string | null;
  branchId?: string | null;
  officerId?: string | null;
  productCode?: string | null;
  currency?: string | null;
}

/** `LoanAttributeFilter` over the loan table aliased `alias`. */
export function loanAttributes(f: LoanAttributeFilter, alias: string): RawBuilder<boolean> {
  const c = (column: string) => sql.ref(`${alias}.${column}`);
  const parts = [sql`true`];
  if (f.customerId) parts.push(sql`${c('customer_id')} = ${f.customerId}`);
  if (f.branchId) parts.push(sql`${c('branch_id')} = ${f.branchId}`);
  if (f.officerId) parts.push(sql`${c('officer_id')} = ${f.officerId}`);
  if (f.productCode) parts.push(sql`${c('product_code')} = ${f.productCode}`);
  if (f.currency) parts.push(sql`${c('currency')} = ${f.currency}`);
  return sql<boolean>`${sql.join(parts, sql` and `)}`;
}

export interface LoanFilter extends LoanAttributeFilter {
  status?: LoanStatus[] | null;
  bucket?: DelinquencyBucket[] | null;
  riskClass?: RiskClass[] | null;
  appliedFrom?: string | null;
  appliedTo?: string | null;
  disbursedFrom?: string | null;
  disbursedTo?: string | null;
}

/** Loans newest first (ids are UUIDv7: id order is creation order). */
export const LOAN_ORDER: SortKey[] = [{ ref: 'id', type: 'text' }];

const loanList = (db: Kysely<DB>, scope: Scope, filter: LoanFilter) =>
  selectLoans(db)
    .where(customerInScope(scope, 'loan.customer_id'))
    .where(loanAttributes(filter, 'loan'))
    .$if(!!filter.status?.length, (q) => q.where('status', 'in', filter.status ?? []))
    .$if(!!filter.bucket?.length, (q) => q.where('bucket', 'in', filter.bucket ?? []))
    .$if(!!filter.riskClass?.length, (q) => q.where('risk_class', 'in', filter.riskClass ?? []))
    .$if(!!filter.appliedFrom, (q) => q.where(sql<boolean>`loan.applied_at >= ${filter.appliedFrom}::date`))
    .$if(!!filter.appliedTo, (q) => q.where(sql<boolean>`loan.applied_at < ${filter.appliedTo}::date + 1`))
    .$if(!!filter.disbursedFrom, (q) => q.where('disbursed_on', '>=', filter.disbursedFrom ?? ''))
    .$if(!!filter.disbursedTo, (q) => q.where('disbursed_on', '<=', filter.disbursedTo ?? ''));

/** `loans`: a page newest first after a cursor, or a changedSince pull. */
export async function findLoansPage(db: Kysely<DB>, scope: Scope, filter: LoanFilter, page: ListPage): Promise<Listed<LoanRow>[]> {
  return pageQuery(loanList(db, scope, filter), 'loan', [{ ref: 'loan.id', type: 'text' }], 'desc', page).execute();
}

export async function countLoans(db: Kysely<DB>, scope: Scope, filter: LoanFilter): Promise<number> {
  const row = await db
    .selectFrom(loanList(db, scope, filter).as('x'))
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

const loansOfCustomers = (db: Kysely<DB>, scope: Scope, customerIds: readonly string[]) =>
  selectLoans(db)
    .select('loan.customer_id as _parent')
    .where('customer_id', 'in', [...customerIds])
    .where(customerInScope(scope, 'loan.customer_id'));

/** `Customer.loanConnection`: one page of loans per customer (newest first), in one statement. */
export async function findLoanPagesOfCustomers(db: Kysely<DB>, scope: Scope, customerIds: readonly string[], window: PageWindow) {
  if (!customerIds.length) return [];
  return windowPages<LoanRow>(db, loansOfCustomers(db, scope, customerIds), LOAN_ORDER, 'desc', window);
}

export async function countLoansOfCustomers(db: Kysely<DB>, scope: Scope, customerIds: readonly string[]): Promise<Map<string, number>> {
  if (!customerIds.length) return new Map();
  return countsOf(db, loansOfCustomers(db, scope, customerIds));
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
    .select(['fee', 'fee_paid', 'fee_waived', 'scheduled_interest'])
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
      // before disbursement: a zero at the scale of the principal (the currency's: "0.000" KWD)
      sql<string>`coalesce(sum(i.principal - i.principal_paid), case when l.status in ('APPLIED', 'APPROVED') then 0 * l.principal else l.principal end)`.as(
        'outstanding',
      ),
    ])
    .where('l.id', 'in', [...loanIds])
    .groupBy(['l.id'])
    .execute();
  return new Map(rows.map((r) => [r.id, r.outstanding]));
}

export async function insertRiskClassChange(db: Kysely<DB>, row: Insertable<DB['risk_class_change']>): Promise<void> {
  await db.insertInto('risk_class_change').values(row).execute();
}

/** Risk class changes in the order of `Loan.riskClassHistory`: when recorded, then id. */
export const RISK_CLASS_CHANGE_ORDER: SortKey[] = [
  { ref: 'changed_at', type: 'timestamptz' },
  { ref: 'id', type: 'text' },
];

const classChangesOfLoans = (db: Kysely<DB>, loanIds: readonly string[]) =>
  db
    .selectFrom('risk_class_change')
    .selectAll()
    .select('loan_id as _parent')
    .where('loan_id', 'in', [...loanIds]);

/** `Loan.riskClassHistory`: one page per loan, oldest first, in one statement (the loans are already in scope). */
export async function findRiskClassChangePages(db: Kysely<DB>, loanIds: readonly string[], window: PageWindow) {
  if (!loanIds.length) return [];
  return windowPages<RiskClassChangeRow>(db, classChangesOfLoans(db, loanIds), RISK_CLASS_CHANGE_ORDER, 'asc', window);
}

export async function countRiskClassChanges(db: Kysely<DB>, loanIds: readonly string[]): Promise<Map<string, number>> {
  if (!loanIds.length) return new Map();
  return countsOf(db, classChangesOfLoans(db, loanIds));
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

/**
 * A loan settled by a repayment valued before its latest end-of-day run: each settled instalment's
 * penalty is what it stood at on the value date (what was charged and paid), not what the later
 * run accrued (the run's re-evaluation does this for a loan still open; a closed one is no longer
 * evaluated).
 */
export async function settlePenaltiesAsPaid(tx: Kysely<DB>, loanId: string, version: number): Promise<void> {
  await tx
    .updateTable('instalment')
    .set((eb) => ({ penalty: eb.ref('penalty_paid') }))
    .where('loan_id', '=', loanId)
    .where('version', '=', version)
    .where('paid_on', 'is not', null)
    .whereRef('penalty', '>', 'penalty_paid')
    .execute();
}

// ---- instalments (top-level list) and the end-of-day history of a loan (issue 12) ----

export type InstalmentState = 'PENDING' | 'PARTIALLY_PAID' | 'PAID' | 'OVERDUE';

export interface InstalmentFilter extends LoanAttributeFilter {
  loanId?: string | null;
  /** Instalment.status as the API derives it (resolvers/Loan.ts). */
  status?: InstalmentState[] | null;
  dueFrom?: string | null;
  dueTo?: string | null;
  /** Only the schedule version in force (default); false adds superseded versions. */
  currentVersionOnly?: boolean | null;
}

/** Instalments by due date, then loan, version and number (the key: ties on the due date broken by it). */
const INSTALMENT_ORDER: SortKey[] = [
  { ref: 'instalment.due_date', type: 'date' },
  { ref: 'instalment.loan_id', type: 'text' },
  { ref: 'instalment.version', type: 'int' },
  { ref: 'instalment.number', type: 'int' },
];

/** The SQL of Instalment.status (resolvers/Loan.ts `Instalment.status`, same order of tests). */
const instalmentStatusSql = sql<InstalmentState>`case when instalment.paid_on is not null then 'PAID' when instalment.dpd > 0 then 'OVERDUE'
  when instalment.principal_paid + instalment.interest_paid + instalment.penalty_paid + instalment.fee_paid > 0 then 'PARTIALLY_PAID' else 'PENDING' end`;

const instalmentList = (db: Kysely<DB>, scope: Scope, f: InstalmentFilter) =>
  db
    .selectFrom('instalment')
    .innerJoin('loan as l', 'l.id', 'instalment.loan_id')
    .selectAll('instalment')
    .where(customerInScope(scope, 'l.customer_id'))
    .where(loanAttributes(f, 'l'))
    .$if(f.currentVersionOnly !== false, (q) => q.whereRef('instalment.version', '=', 'l.schedule_version'))
    .$if(!!f.loanId, (q) => q.where('instalment.loan_id', '=', f.loanId ?? ''))
    .$if(!!f.status?.length, (q) => q.where(instalmentStatusSql, 'in', f.status ?? []))
    .$if(!!f.dueFrom, (q) => q.where('instalment.due_date', '>=', f.dueFrom ?? ''))
    .$if(!!f.dueTo, (q) => q.where('instalment.due_date', '<=', f.dueTo ?? ''));

/** `instalments`: a page by due date after a cursor, or a changedSince pull. */
export async function listInstalments(db: Kysely<DB>, scope: Scope, filter: InstalmentFilter, page: ListPage): Promise<Listed<InstalmentRow>[]> {
  return pageQuery(instalmentList(db, scope, filter), 'instalment', INSTALMENT_ORDER, 'asc', page).execute();
}

export async function countInstalments(db: Kysely<DB>, scope: Scope, filter: InstalmentFilter): Promise<number> {
  const row = await db
    .selectFrom(instalmentList(db, scope, filter).as('x'))
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

const snapshotsOfLoans = (db: Kysely<DB>, loanIds: readonly string[], range: { from?: string | null; to?: string | null }) =>
  db
    .selectFrom('loan_delinquency')
    .selectAll()
    .select('loan_id as _parent')
    .where('loan_id', 'in', [...loanIds])
    .$if(!!range.from, (q) => q.where('as_of', '>=', range.from ?? ''))
    .$if(!!range.to, (q) => q.where('as_of', '<=', range.to ?? ''));

/** `Loan.delinquencyHistory`: one page of snapshots per loan, newest business date first, in one statement. */
export async function findDelinquencyPages(
  db: Kysely<DB>,
  loanIds: readonly string[],
  range: { from?: string | null; to?: string | null },
  window: PageWindow,
) {
  if (!loanIds.length) return [];
  return windowPages<LoanDelinquencyRow>(db, snapshotsOfLoans(db, loanIds, range), [{ ref: 'as_of', type: 'date' }], 'desc', window);
}

export async function countDelinquencySnapshots(
  db: Kysely<DB>,
  loanIds: readonly string[],
  range: { from?: string | null; to?: string | null },
): Promise<Map<string, number>> {
  if (!loanIds.length) return new Map();
  return countsOf(db, snapshotsOfLoans(db, loanIds, range));
}
