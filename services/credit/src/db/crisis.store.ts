import { decodeCursor, minorUnitsSql, type Scope, dateText as textOfDate } from '@crm/service-kit';
import { type Expression, type ExpressionBuilder, type Insertable, type Kysely, type SqlBool, sql } from 'kysely';
import { type WaiverWindow, waivedPenaltyDaysSql } from '../domain/crisis.ts';
import { penaltyDueSql } from '../domain/delinquency.ts';
import type { CrisisMeasureLoanRow, CrisisMeasureLoanTable, CrisisMeasureRow, CrisisMeasureTable, CrisisScopeJson } from './crisis.schema.ts';
import { dateText } from './loan.store.ts';
import type { DB, InstalmentTable, RestructuringTable } from './schema.ts';
import { customerInScope } from './scope.ts';

/**
 * Crisis measures (issue 15): declaration, the loans a measure covers, its bulk application and
 * its effect. A measure's scope is matched against credit's customer replica (branch, region,
 * industry, kind, id); the caller's branch scope applies on top, as everywhere in credit.
 */

const measureColumns = [
  'id',
  'name',
  'kind',
  'scope',
  'instalments',
  'reason',
  'status',
  'branch_id',
  'declared_by',
  'declared_at',
  'decided_by',
  'decided_at',
  'loans_affected',
  'loans_skipped',
  'idempotency_key',
] as const;

const selectMeasures = (db: Kysely<DB>) =>
  db
    .selectFrom('crisis_measure')
    .select(measureColumns)
    .select([dateText('effective_on').as('effective_on'), dateText('waiver_from').as('waiver_from'), dateText('waiver_to').as('waiver_to')]);

/**
 * Which measures a caller sees: callers across branches all of them; a branch-bound caller those
 * declared in their branch, those naming it, and those not restricted to branches (by region,
 * industry, kind or customers: they may cover the caller's customers).
 */
export function measureVisibleTo(scope: Scope) {
  return (eb: ExpressionBuilder<DB, 'crisis_measure'>): Expression<SqlBool> => {
    if (scope.kind === 'all') return sql<SqlBool>`true`;
    if (scope.branchId === null) return sql<SqlBool>`jsonb_array_length(crisis_measure.scope->'branchIds') = 0`;
    return eb.or([
      eb('crisis_measure.branch_id', '=', scope.branchId),
      sql<SqlBool>`crisis_measure.scope->'branchIds' @> jsonb_build_array(${scope.branchId}::text)`,
      sql<SqlBool>`jsonb_array_length(crisis_measure.scope->'branchIds') = 0`,
    ]);
  };
}

export async function insertCrisisMeasure(db: Kysely<DB>, row: Insertable<CrisisMeasureTable>): Promise<void> {
  await db.insertInto('crisis_measure').values(row).execute();
}

export async function findCrisisMeasureIdByIdempotencyKey(db: Kysely<DB>, key: string): Promise<string | undefined> {
  return (await db.selectFrom('crisis_measure').select('id').where('idempotency_key', '=', key).executeTakeFirst())?.id;
}

/** The measure, locked (a decision serialises on it). */
export async function lockCrisisMeasure(tx: Kysely<DB>, id: string): Promise<CrisisMeasureRow | undefined> {
  return selectMeasures(tx).where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function findCrisisMeasuresByIds(db: Kysely<DB>, scope: Scope, ids: readonly string[]): Promise<CrisisMeasureRow[]> {
  if (!ids.length) return [];
  return selectMeasures(db)
    .where('id', 'in', [...ids])
    .where(measureVisibleTo(scope))
    .execute();
}

export async function updateCrisisMeasure(tx: Kysely<DB>, id: string, changes: Partial<Insertable<CrisisMeasureTable>>): Promise<void> {
  await tx.updateTable('crisis_measure').set(changes).where('id', '=', id).execute();
}

export interface CrisisMeasureFilter {
  status?: readonly CrisisMeasureRow['status'][] | null;
  kind?: readonly CrisisMeasureRow['kind'][] | null;
  declaredFrom?: string | null;
  declaredTo?: string | null;
}

const measureList = (db: Kysely<DB>, scope: Scope, f: CrisisMeasureFilter) =>
  selectMeasures(db)
    .where(measureVisibleTo(scope))
    .$if(!!f.status?.length, (q) => q.where('status', 'in', [...(f.status ?? [])]))
    .$if(!!f.kind?.length, (q) => q.where('kind', 'in', [...(f.kind ?? [])]))
    .$if(!!f.declaredFrom, (q) => q.where(sql<string>`(declared_at at time zone 'UTC')::date`, '>=', sql<string>`${f.declaredFrom}::date`))
    .$if(!!f.declaredTo, (q) => q.where(sql<string>`(declared_at at time zone 'UTC')::date`, '<=', sql<string>`${f.declaredTo}::date`));

/** `crisisMeasures`: newest first (ids are UUIDv7), `limit` rows after the cursor (a measure id). */
export async function listCrisisMeasures(db: Kysely<DB>, scope: Scope, f: CrisisMeasureFilter, page: { limit: number; after: string | null }) {
  const after = page.after ? String(decodeCursor(page.after, 1)[0]) : null;
  return measureList(db, scope, f)
    .$if(after !== null, (q) => q.where('id', '<', after ?? ''))
    .orderBy('id', 'desc')
    .limit(page.limit)
    .execute();
}

export async function countCrisisMeasures(db: Kysely<DB>, scope: Scope, f: CrisisMeasureFilter): Promise<number> {
  const row = await db
    .selectFrom(measureList(db, scope, f).as('m'))
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The measure's scope over the customer replica (alias `c`): every non-empty criterion holds. */
function inMeasureScope(scope: CrisisScopeJson) {
  return (eb: ExpressionBuilder<DB, 'customer_replica'>): Expression<SqlBool> => {
    const parts: Expression<SqlBool>[] = [];
    if (scope.branchIds.length) parts.push(eb('customer_replica.branch_id', 'in', scope.branchIds));
    if (scope.regions.length) parts.push(eb('customer_replica.region', 'in', scope.regions));
    if (scope.industries.length) parts.push(eb('customer_replica.industry', 'in', scope.industries));
    if (scope.customerKinds.length) parts.push(eb('customer_replica.kind', 'in', scope.customerKinds));
    if (scope.customerIds.length) parts.push(eb('customer_replica.id', 'in', scope.customerIds));
    // a stored scope always has a criterion (domain/crisis.ts); an empty one covers nobody
    return parts.length ? eb.and(parts) : sql<SqlBool>`false`;
  };
}

/** An active loan a measure covers, with what its relief needs. */
export interface LoanInCrisisScope {
  loan_id: string;
  customer_id: string;
  currency: string;
  product_id: string | null;
  schedule_version: number;
  annual_rate: string;
  disbursed_on: string | null;
  first_due_date: string | null;
  outstanding: string;
}

/**
 * The ACTIVE loans of customers in the measure's scope and in the caller's, oldest first; locked
 * (`for update` of the loan rows) when applying, so a repayment or another restructuring of one of
 * them waits for the bulk operation.
 */
export async function findLoansInCrisisScope(db: Kysely<DB>, caller: Scope, scope: CrisisScopeJson, lock: boolean): Promise<LoanInCrisisScope[]> {
  const query = db
    .selectFrom('loan as l')
    .innerJoin('customer_replica', 'customer_replica.id', 'l.customer_id')
    .select(['l.id as loan_id', 'l.customer_id', 'l.currency', 'l.product_id', 'l.schedule_version', 'l.annual_rate'])
    .select([dateText('l.disbursed_on').as('disbursed_on'), dateText('l.first_due_date').as('first_due_date')])
    .select(
      sql<string>`(select coalesce(sum(i.principal - i.principal_paid), 0) from instalment i where i.loan_id = l.id and i.version = l.schedule_version)`.as(
        'outstanding',
      ),
    )
    .where('l.status', '=', 'ACTIVE')
    .where(inMeasureScope(scope))
    .where(customerInScope(caller, 'l.customer_id'))
    .orderBy('l.id');
  return lock ? query.forUpdate(['l']).execute() : query.execute();
}

/** Per currency: the active loans a measure covers now and their outstanding principal (before approval: what approving takes). */
export async function previewCrisisScope(db: Kysely<DB>, caller: Scope, scope: CrisisScopeJson) {
  const loans = await findLoansInCrisisScope(db, caller, scope, false);
  const byCurrency = new Map<string, { currency: string; loans: number; principal: string[] }>();
  for (const l of loans) {
    const entry = byCurrency.get(l.currency) ?? { currency: l.currency, loans: 0, principal: [] };
    entry.loans++;
    entry.principal.push(l.outstanding);
    byCurrency.set(l.currency, entry);
  }
  return [...byCurrency.values()].sort((a, b) => (a.currency < b.currency ? -1 : 1));
}

/** Ids per statement when a bulk operation reads by loan id (well under PostgreSQL's parameter limit). */
const READ_CHUNK = 5000;
const idChunks = (ids: readonly string[]) =>
  Array.from({ length: Math.ceil(ids.length / READ_CHUNK) }, (_, k) => ids.slice(k * READ_CHUNK, (k + 1) * READ_CHUNK));

/** Loans already under an approved penalty waiver whose window overlaps [from, to] (skipped by another waiver). */
export async function findLoansUnderWaiver(db: Kysely<DB>, loanIds: readonly string[], from: string, to: string): Promise<Set<string>> {
  const found = new Set<string>();
  for (const ids of idChunks(loanIds)) {
    const rows = await db
      .selectFrom('crisis_measure_loan')
      .select('loan_id')
      .where('loan_id', 'in', ids)
      .where('status', '=', 'APPLIED')
      .where('waiver_from', '<=', to)
      .where('waiver_to', '>=', from)
      .execute();
    for (const r of rows) found.add(r.loan_id);
  }
  return found;
}

/** The current schedule of each loan (dates as text), in one statement. */
export async function findCurrentSchedules(db: Kysely<DB>, loanIds: readonly string[]) {
  const rows = [];
  for (const ids of idChunks(loanIds)) {
    rows.push(
      ...(await db
        .selectFrom('instalment as i')
        .innerJoin('loan as l', (j) => j.onRef('l.id', '=', 'i.loan_id').onRef('l.schedule_version', '=', 'i.version'))
        .select(['i.loan_id', 'i.version', 'i.number', 'i.principal', 'i.interest', 'i.principal_paid', 'i.interest_paid', 'i.penalty', 'i.penalty_paid'])
        .select([dateText('i.due_date').as('due_date'), dateText('i.paid_on').as('paid_on')])
        .where('i.loan_id', 'in', ids)
        .orderBy('i.loan_id')
        .orderBy('i.number')
        .execute()),
    );
  }
  return rows;
}

const CHUNK = 500;
const chunks = <T>(rows: readonly T[]) => Array.from({ length: Math.ceil(rows.length / CHUNK) }, (_, k) => rows.slice(k * CHUNK, (k + 1) * CHUNK));

/** Writes a payment holiday's bulk result: restructurings, new schedule versions with their carried allocations, loans moved to them. */
export async function writeBulkHoliday(
  tx: Kysely<DB>,
  w: {
    restructurings: Insertable<RestructuringTable>[];
    instalments: Insertable<InstalmentTable>[];
    /** (loan, version written, instalment number): allocations copied from version - 1. */
    carried: { loanId: string; version: number; number: number }[];
    loans: { id: string; version: number; termCount: number }[];
  },
): Promise<void> {
  for (const rows of chunks(w.restructurings)) await tx.insertInto('restructuring').values(rows).execute();
  for (const rows of chunks(w.instalments)) await tx.insertInto('instalment').values(rows).execute();
  for (const rows of chunks(w.carried)) {
    const values = sql.join(rows.map((c) => sql`(${c.loanId}::text, ${c.version}::int, ${c.number}::int)`));
    await sql`
      insert into repayment_allocation (repayment_id, loan_id, version, number, paid_on, penalty, interest, principal)
      select a.repayment_id, a.loan_id, v.version, a.number, a.paid_on, a.penalty, a.interest, a.principal
        from repayment_allocation a join (values ${values}) v(loan_id, version, number)
          on a.loan_id = v.loan_id and a.version = v.version - 1 and a.number = v.number`.execute(tx);
  }
  for (const rows of chunks(w.loans)) {
    const values = sql.join(rows.map((l) => sql`(${l.id}::text, ${l.version}::int, ${l.termCount}::int)`));
    await sql`
      update loan l set schedule_version = v.version, term_count = v.term_count
        from (values ${values}) v(id, version, term_count) where l.id = v.id`.execute(tx);
  }
}

export async function insertMeasureLoans(tx: Kysely<DB>, rows: Insertable<CrisisMeasureLoanTable>[]): Promise<void> {
  for (const chunk of chunks(rows)) await tx.insertInto('crisis_measure_loan').values(chunk).execute();
}

/** A measure's effect per currency: its loans (applied), outstanding principal at approval, amount deferred, penalties waived so far. */
export interface CrisisEffectRow {
  measure_id: string;
  currency: string;
  loans: number;
  principal_affected: string;
  amount_deferred: string;
  penalties_waived: string;
}

export async function findMeasureEffects(db: Kysely<DB>, scope: Scope, measureIds: readonly string[]): Promise<CrisisEffectRow[]> {
  if (!measureIds.length) return [];
  const { rows } = await sql<CrisisEffectRow>`
    select m.measure_id, m.currency, count(*)::int as loans,
           sum(m.outstanding_principal)::text as principal_affected, sum(m.amount_deferred)::text as amount_deferred,
           coalesce(sum(w.waived), 0)::text as penalties_waived
      from crisis_measure_loan m
      left join (select measure_id, loan_id, sum(penalty_waived) as waived from crisis_penalty_waiver group by measure_id, loan_id) w
        on w.measure_id = m.measure_id and w.loan_id = m.loan_id
     where m.measure_id in (${sql.join([...measureIds])}) and m.status = 'APPLIED'
       and ${customerInScope(scope, 'm.customer_id')}
     group by m.measure_id, m.currency
     order by m.measure_id, m.currency`.execute(db);
  return rows;
}

export type CrisisMeasureLoanWithWaiver = CrisisMeasureLoanRow & { penalty_waived: string };

const measureLoans = (db: Kysely<DB>, scope: Scope, measureId: string, status: readonly ('APPLIED' | 'SKIPPED')[] | null) =>
  db
    .selectFrom('crisis_measure_loan as m')
    .select([
      'm.measure_id',
      'm.loan_id',
      'm.customer_id',
      'm.currency',
      'm.status',
      'm.skip_reason',
      'm.outstanding_principal',
      'm.amount_deferred',
      'm.restructuring_id',
      'm.from_version',
      'm.to_version',
    ])
    .select([dateText('m.waiver_from').as('waiver_from'), dateText('m.waiver_to').as('waiver_to')])
    .select(
      sql<string>`(select coalesce(sum(w.penalty_waived), 0)::text from crisis_penalty_waiver w where w.measure_id = m.measure_id and w.loan_id = m.loan_id)`.as(
        'penalty_waived',
      ),
    )
    .where('m.measure_id', '=', measureId)
    .where(customerInScope(scope, 'm.customer_id'))
    .$if(!!status?.length, (q) => q.where('m.status', 'in', [...(status ?? [])]));

/** `CrisisMeasure.loans`: the measure's loans in the caller's scope, by loan id, `limit` after the cursor (a loan id). */
export async function findMeasureLoansPage(
  db: Kysely<DB>,
  scope: Scope,
  measureId: string,
  status: readonly ('APPLIED' | 'SKIPPED')[] | null,
  page: { limit: number; after: string | null },
): Promise<CrisisMeasureLoanWithWaiver[]> {
  const after = page.after ? String(decodeCursor(page.after, 1)[0]) : null;
  return measureLoans(db, scope, measureId, status)
    .$if(after !== null, (q) => q.where('m.loan_id', '>', after ?? ''))
    .orderBy('m.loan_id')
    .limit(page.limit)
    .execute();
}

export async function countMeasureLoans(db: Kysely<DB>, scope: Scope, measureId: string, status: readonly ('APPLIED' | 'SKIPPED')[] | null) {
  const row = await db
    .selectFrom(measureLoans(db, scope, measureId, status).as('x'))
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

// ---- the end-of-day run: penalties waived ----

/** The approved penalty-waiver windows of a loan (what the run's `waivedDaysOfStagedInstalmentSql` reads, for one loan in TypeScript). */
export async function findPenaltyWaiverWindows(db: Kysely<DB>, loanId: string): Promise<WaiverWindow[]> {
  const rows = await db
    .selectFrom('crisis_measure_loan')
    .select(['waiver_from', 'waiver_to'])
    .where('loan_id', '=', loanId)
    .where('status', '=', 'APPLIED')
    .where('waiver_from', 'is not', null)
    .execute();
  return rows.map((r) => ({ from: textOfDate(r.waiver_from as string | Date), to: textOfDate(r.waiver_to as string | Date) }));
}

/**
 * The penalty days a staged instalment (alias `s0`: `loan_id`, `due_date`, `dpd`, `grace_days`)
 * does not accrue: `waivedPenaltyDays` (domain/crisis.ts) summed over the approved penalty waivers
 * of its loan, one SQL expression from the same formula.
 */
export const waivedDaysOfStagedInstalmentSql =
  sql.raw(`coalesce((select sum(${waivedPenaltyDaysSql({ dueDate: 's0.due_date', dpd: 's0.dpd', graceDays: 's0.grace_days', from: 'cw.waiver_from', to: 'cw.waiver_to' })})
    from crisis_measure_loan cw where cw.loan_id = s0.loan_id and cw.status = 'APPLIED' and cw.waiver_from is not null), 0)`);

/**
 * After the run's staging (`eod_instalment`, with `waived_days`, `penalty_full` and `penalty_due`),
 * records what each penalty-waiver measure spared each overdue instalment of the loans moving
 * forward: the instalment's penalty without waivers less its penalty with them, shared between the
 * measures by their waived days (rounded to the minor unit). Instalments no longer overdue keep
 * the figure of the last run that found them overdue.
 */
export async function recordPenaltyWaivers(tx: Kysely<DB>, asOf: string): Promise<number> {
  const result = await sql`
    insert into crisis_penalty_waiver (measure_id, loan_id, number, version, currency, penalty_waived, as_of)
    select cw.measure_id, e.loan_id, e.number, e.version, f.currency,
           round((e.penalty_full - e.penalty_due) * w.days / e.waived_days, ${sql.raw(minorUnitsSql('f.currency'))}),
           ${asOf}::date
      from eod_instalment e
      join eod_loan f on f.loan_id = e.loan_id and f.forward
      join crisis_measure_loan cw on cw.loan_id = e.loan_id and cw.status = 'APPLIED' and cw.waiver_from is not null
      cross join lateral (select ${sql.raw(waivedPenaltyDaysSql({ dueDate: 'e.due_date', dpd: 'e.dpd', graceDays: 'e.grace_days', from: 'cw.waiver_from', to: 'cw.waiver_to' }))} as days) w
     where e.waived_days > 0 and w.days > 0
    on conflict (measure_id, loan_id, number) do update
      set penalty_waived = excluded.penalty_waived, version = excluded.version, as_of = excluded.as_of`.execute(tx);
  return Number(result.numAffectedRows ?? 0);
}

/** `penaltyDue` without waivers, over the staged columns (the penalty the waivers spared is this less `penalty_due`). */
export const penaltyFullSql = sql.raw(
  penaltyDueSql({
    unpaid: 's.unpaid',
    penaltyRate: 's.penalty_rate',
    dpd: 's.dpd',
    graceDays: 's.grace_days',
    minorUnits: 's.minor_units',
    penaltyCapRate: 's.penalty_cap_rate',
    rounding: 's.rounding_mode',
  }),
);
