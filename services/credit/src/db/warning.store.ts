import type { PageWindow, Scope } from '@crm/service-kit';
import { countsOf, type Listed, type ListPage, pageQuery, type SortKey, windowPages } from '@crm/service-kit';
import { type Insertable, type Kysely, sql, type Updateable } from 'kysely';
import { type LoanAttributeFilter, loanAttributes } from './loan.store.ts';
import type { DB, RiskWarningRow, RiskWarningTable, WarningRuleRow, WarningSeverity, WarningStatus } from './schema.ts';
import { assertLoanInScope, customerInScope } from './scope.ts';

export async function findWarningsByIds(db: Kysely<DB>, scope: Scope, ids: readonly string[]): Promise<RiskWarningRow[]> {
  if (!ids.length) return [];
  return db
    .selectFrom('risk_warning')
    .selectAll()
    .where('id', 'in', [...ids])
    .where(customerInScope(scope, 'risk_warning.customer_id'))
    .execute();
}

/** Warnings of these customers and loans, newest first, in one query. */
export async function findWarningsOf(db: Kysely<DB>, scope: Scope, customerIds: readonly string[], loanIds: readonly string[]): Promise<RiskWarningRow[]> {
  if (!customerIds.length && !loanIds.length) return [];
  return db
    .selectFrom('risk_warning')
    .selectAll()
    .where(customerInScope(scope, 'risk_warning.customer_id'))
    .where((eb) =>
      eb.or([...(customerIds.length ? [eb('customer_id', 'in', [...customerIds])] : []), ...(loanIds.length ? [eb('loan_id', 'in', [...loanIds])] : [])]),
    )
    .orderBy('raised_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

export interface WarningFilter extends LoanAttributeFilter {
  status?: WarningStatus[] | null;
  severity?: WarningSeverity[] | null;
  loanId?: string | null;
  ruleCode?: string | null;
  /** Raised on or after this date. */
  raisedFrom?: string | null;
  /** Raised on or before this date. */
  raisedTo?: string | null;
}

/** Warnings newest first: raised at (a run raises many at the same instant), then id. */
export const WARNING_ORDER: SortKey[] = [
  { ref: 'raised_at', type: 'timestamptz' },
  { ref: 'id', type: 'text' },
];

const warningList = (db: Kysely<DB>, scope: Scope, filter: WarningFilter) =>
  db
    .selectFrom('risk_warning')
    .innerJoin('loan as l', 'l.id', 'risk_warning.loan_id')
    .selectAll('risk_warning')
    .where(customerInScope(scope, 'risk_warning.customer_id'))
    // the warning's officer is the loan's at the time it was raised: officerId filters on it
    .where(loanAttributes({ ...filter, officerId: null }, 'l'))
    .$if(!!filter.status?.length, (q) => q.where('risk_warning.status', 'in', filter.status ?? []))
    .$if(!!filter.severity?.length, (q) => q.where('risk_warning.severity', 'in', filter.severity ?? []))
    .$if(!!filter.loanId, (q) => q.where('risk_warning.loan_id', '=', filter.loanId ?? ''))
    .$if(!!filter.officerId, (q) => q.where('risk_warning.officer_id', '=', filter.officerId ?? ''))
    .$if(!!filter.ruleCode, (q) => q.where('risk_warning.rule_code', '=', filter.ruleCode ?? ''))
    .$if(!!filter.raisedFrom, (q) => q.where(sql<boolean>`risk_warning.raised_at >= ${filter.raisedFrom}::date`))
    .$if(!!filter.raisedTo, (q) => q.where(sql<boolean>`risk_warning.raised_at < ${filter.raisedTo}::date + 1`));

/** `riskWarnings`: a page newest first after a cursor, or a changedSince pull. */
export async function findWarningsPage(db: Kysely<DB>, scope: Scope, filter: WarningFilter, page: ListPage): Promise<Listed<RiskWarningRow>[]> {
  return pageQuery(
    warningList(db, scope, filter),
    'risk_warning',
    WARNING_ORDER.map((k) => ({ ...k, ref: `risk_warning.${k.ref}` })),
    'desc',
    page,
  ).execute();
}

export async function countWarnings(db: Kysely<DB>, scope: Scope, filter: WarningFilter): Promise<number> {
  const row = await db
    .selectFrom(warningList(db, scope, filter).as('x'))
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The warnings of customers or loans (`of`), open ones only when `openOnly`, with the parent's id as `_parent`. */
const warningsOfParents = (db: Kysely<DB>, scope: Scope, of: 'customer' | 'loan', ids: readonly string[], openOnly: boolean) =>
  db
    .selectFrom('risk_warning')
    .selectAll()
    .select(of === 'loan' ? 'loan_id as _parent' : 'customer_id as _parent')
    .where(of === 'loan' ? 'loan_id' : 'customer_id', 'in', [...ids])
    .where(customerInScope(scope, 'risk_warning.customer_id'))
    .$if(openOnly, (q) => q.where('status', '<>', 'RESOLVED'));

/** `Loan.riskWarnings` and `Customer.riskWarningConnection`: one page per parent, newest first, in one statement. */
export async function findWarningPagesOf(db: Kysely<DB>, scope: Scope, of: 'customer' | 'loan', ids: readonly string[], openOnly: boolean, window: PageWindow) {
  if (!ids.length) return [];
  return windowPages<RiskWarningRow>(db, warningsOfParents(db, scope, of, ids, openOnly), WARNING_ORDER, 'desc', window);
}

export async function countWarningsOf(
  db: Kysely<DB>,
  scope: Scope,
  of: 'customer' | 'loan',
  ids: readonly string[],
  openOnly: boolean,
): Promise<Map<string, number>> {
  if (!ids.length) return new Map();
  return countsOf(db, warningsOfParents(db, scope, of, ids, openOnly));
}

/** The warning, locked; FORBIDDEN (nothing written) when its loan's customer is outside the scope. */
export async function lockWarning(tx: Kysely<DB>, scope: Scope, id: string): Promise<RiskWarningRow | undefined> {
  const row = await tx.selectFrom('risk_warning').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (row) await assertLoanInScope(tx, scope, row.loan_id);
  return row;
}

export async function updateWarning(
  tx: Kysely<DB>,
  id: string,
  changes: Updateable<RiskWarningTable>,
  transition: { from: WarningStatus; to: WarningStatus; by: string | null; note: string | null; at: Date },
): Promise<void> {
  await tx.updateTable('risk_warning').set(changes).where('id', '=', id).execute();
  await tx
    .insertInto('risk_warning_transition')
    .values({
      warning_id: id,
      from_status: transition.from,
      to_status: transition.to,
      changed_by: transition.by,
      note: transition.note,
      changed_at: transition.at,
    })
    .execute();
}

/**
 * Raises a warning unless one for the same loan and rule is still open (the partial unique
 * index decides, so concurrent runs cannot raise two). Returns whether it was raised.
 */
export async function insertWarningOnce(tx: Kysely<DB>, row: Insertable<RiskWarningTable>): Promise<boolean> {
  const inserted = await tx
    .insertInto('risk_warning')
    .values(row)
    .onConflict((oc) => oc.columns(['loan_id', 'rule_code']).where('status', '<>', 'RESOLVED').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) {
    await tx
      .insertInto('risk_warning_transition')
      .values({ warning_id: row.id, from_status: null, to_status: 'OPEN', changed_by: null, note: null, changed_at: row.raised_at })
      .execute();
  }
  return !!inserted;
}

export async function findRules(db: Kysely<DB>): Promise<WarningRuleRow[]> {
  return db.selectFrom('warning_rule').selectAll().orderBy('code').execute();
}

export async function findActiveRulesOfKind(db: Kysely<DB>, kinds: WarningRuleRow['kind'][]): Promise<WarningRuleRow[]> {
  return db.selectFrom('warning_rule').selectAll().where('kind', 'in', kinds).where('active', '=', true).orderBy('code').execute();
}

export async function updateRule(db: Kysely<DB>, code: string, changes: Updateable<DB['warning_rule']>): Promise<WarningRuleRow | undefined> {
  return db.updateTable('warning_rule').set(changes).where('code', '=', code).returningAll().executeTakeFirst();
}

export async function findResponseHours(db: Kysely<DB>): Promise<Map<WarningSeverity, number>> {
  const rows = await db.selectFrom('warning_response_deadline').selectAll().execute();
  return new Map(rows.map((r) => [r.severity, r.response_hours]));
}

export interface EscalatedWarning {
  id: string;
  loan_id: string;
  customer_id: string;
  rule_code: string;
  severity: WarningSeverity;
  officer_id: string | null;
}

/** Escalates, in one statement, every warning still open or only acknowledged past its response deadline. */
export async function escalateOverdueWarnings(tx: Kysely<DB>, cutoff: Date): Promise<EscalatedWarning[]> {
  const { rows } = await sql<EscalatedWarning>`
    with esc as (
      update risk_warning set status = 'ESCALATED', escalated_at = ${cutoff}::timestamptz
      where status in ('OPEN', 'ACKNOWLEDGED') and response_due_at < ${cutoff}::timestamptz
      returning id, loan_id, customer_id, rule_code, severity, officer_id, status
    ),
    logged as (
      insert into risk_warning_transition (warning_id, from_status, to_status, changed_by, note, changed_at)
      select id, null, 'ESCALATED', null, 'response deadline missed', ${cutoff}::timestamptz from esc
    )
    select id, loan_id, customer_id, rule_code, severity, officer_id from esc order by id
  `.execute(tx);
  return rows;
}

/** Replaces the industry watch list: call it inside a transaction. */
export async function replaceWatchList(tx: Kysely<DB>, industries: string[]): Promise<void> {
  await tx.deleteFrom('industry_watch').execute();
  if (industries.length)
    await tx
      .insertInto('industry_watch')
      .values(industries.map((industry) => ({ industry })))
      .execute();
}

export async function findWatchList(db: Kysely<DB>): Promise<string[]> {
  return (await db.selectFrom('industry_watch').select('industry').orderBy('industry').execute()).map((r) => r.industry);
}

/** FORBIDDEN when the warning exists and its loan's customer is outside the scope. */
export async function assertWarningInScope(db: Kysely<DB>, scope: Scope, id: string): Promise<void> {
  if (scope.kind === 'all') return;
  const row = await db.selectFrom('risk_warning').select('loan_id').where('id', '=', id).executeTakeFirst();
  if (row) await assertLoanInScope(db, scope, row.loan_id);
}
