import { type Listed, type PageWindow, pageQuery, type SortKey } from '@crm/service-kit';
import { type Kysely, sql } from 'kysely';
import type { CadenceBand } from '../domain/monitoring.ts';
import type { MonitoringCadenceKind, RiskClass, VisitConcern } from '../domain/types.ts';
import type { BranchManagerRow, DB, LoanReplicaRow, MonitoringCadenceRow, TaskRow, VisitOutcomeRow } from './schema.ts';

/**
 * Visits and reviews by risk (issue 15): the cadence table, the loan facts it needs, the planning
 * job's set-wise selections, visit outcomes and the branch managers.
 */

export const SETTING_MONITORING_LEAD_DAYS = 'monitoring_lead_days';

// ---- cadence ----

export async function findCadence(db: Kysely<DB>): Promise<MonitoringCadenceRow[]> {
  return db.selectFrom('monitoring_cadence').selectAll().orderBy('risk_class').orderBy('min_principal').execute();
}

export const bandOf = (r: MonitoringCadenceRow): CadenceBand => ({
  riskClass: r.risk_class,
  minPrincipal: String(r.min_principal),
  visitEveryDays: r.visit_every_days,
  reviewEveryDays: r.review_every_days,
});

/** Replaces the whole table. */
export async function replaceCadence(db: Kysely<DB>, bands: readonly CadenceBand[]): Promise<void> {
  await db.deleteFrom('monitoring_cadence').execute();
  await db
    .insertInto('monitoring_cadence')
    .values(
      bands.map((b) => ({ risk_class: b.riskClass, min_principal: b.minPrincipal, visit_every_days: b.visitEveryDays, review_every_days: b.reviewEveryDays })),
    )
    .execute();
}

// ---- loan facts ----

/** The terms of a disbursed loan (LoanDisbursed): what its band depends on besides the class. */
export async function recordLoanTerms(db: Kysely<DB>, loan: { loanId: string; productCode: string; principal: string; currency: string }): Promise<void> {
  await db
    .updateTable('loan_replica')
    .set({ product_code: loan.productCode, principal: loan.principal, currency: loan.currency })
    .where('loan_id', '=', loan.loanId)
    .execute();
}

/** A loan's new risk class, unless a newer change is held; the loan as it is now, or undefined when unknown or older. */
export async function applyRiskClass(db: Kysely<DB>, loanId: string, riskClass: RiskClass, at: Date): Promise<LoanReplicaRow | undefined> {
  return db
    .updateTable('loan_replica')
    .set({ risk_class: riskClass, risk_class_at: at })
    .where('loan_id', '=', loanId)
    .where((eb) => eb.or([eb('risk_class_at', 'is', null), eb('risk_class_at', '<=', at)]))
    .returningAll()
    .executeTakeFirst();
}

/** The latest visit or review of a loan moves forward only (an older date changes nothing). */
export async function recordLastMonitoring(db: Kysely<DB>, loanId: string, kind: MonitoringCadenceKind, on: string): Promise<void> {
  const column = kind === 'VISIT' ? 'last_visit_on' : 'last_review_on';
  await db
    .updateTable('loan_replica')
    .set({ [column]: on })
    .where('loan_id', '=', loanId)
    .where((eb) => eb.or([eb(column, 'is', null), eb(column, '<', on)]))
    .execute();
}

export async function findLoanReplica(db: Kysely<DB>, loanId: string): Promise<LoanReplicaRow | undefined> {
  return db.selectFrom('loan_replica').selectAll().where('loan_id', '=', loanId).executeTakeFirst();
}

// ---- planning ----

/** An active loan whose next visit or review falls within the planning window and has no open task yet. */
export interface PlannableLoan {
  loan_id: string;
  customer_id: string;
  assignee_id: string | null;
  risk_class: RiskClass;
  /** Due dates of the next visit and review; null when one is open already or not yet in the window. */
  visit_due_on: string | null;
  review_due_on: string | null;
}

/**
 * The loans to plan for on `asOf`, set-wise, a page at a time (by loan id): of every active loan,
 * its cadence band (its class's band with the highest minimum principal not above its principal,
 * an unknown principal as 0: `cadenceFor`), its next visit and review (last one, else the
 * disbursement, plus the interval: `nextDueOn`) when due by `asOf + leadDays` (`isPlannable`)
 * and no such task is open, due on that date or on `asOf` when it is past (`plannedDueOn`) (for visits, any open POST_LOAN_VISIT of the loan counts, the first
 * one after disbursement included). test/monitoring.db.test.ts compares it with the domain rules.
 */
export async function findPlannableLoans(
  db: Kysely<DB>,
  input: { asOf: string; leadDays: number; afterLoanId: string | null; limit: number },
): Promise<PlannableLoan[]> {
  const horizon = sql`(${input.asOf}::date + ${input.leadDays}::int)`;
  const { rows } = await sql<PlannableLoan>`
    select * from (
      select l.loan_id, l.customer_id, coalesce(l.officer_id, c.relationship_manager_id) as assignee_id, l.risk_class,
        case when not exists (
            select 1 from task t where t.loan_id = l.loan_id and t.type = 'POST_LOAN_VISIT' and t.status in ('OPEN', 'IN_PROGRESS'))
          and coalesce(l.last_visit_on, l.disbursed_on) + b.visit_every_days <= ${horizon}
          then to_char(greatest(coalesce(l.last_visit_on, l.disbursed_on) + b.visit_every_days, ${input.asOf}::date), 'YYYY-MM-DD') end as visit_due_on,
        case when not exists (
            select 1 from task t where t.loan_id = l.loan_id and t.cadence = 'REVIEW' and t.status in ('OPEN', 'IN_PROGRESS'))
          and coalesce(l.last_review_on, l.disbursed_on) + b.review_every_days <= ${horizon}
          then to_char(greatest(coalesce(l.last_review_on, l.disbursed_on) + b.review_every_days, ${input.asOf}::date), 'YYYY-MM-DD') end as review_due_on
      from loan_replica l
      left join customer_replica c on c.id = l.customer_id
      join lateral (
        select m.visit_every_days, m.review_every_days from monitoring_cadence m
        where m.risk_class = l.risk_class and m.min_principal <= coalesce(l.principal, 0)
        order by m.min_principal desc limit 1
      ) b on true
      where l.status = 'ACTIVE' and l.disbursed_on is not null
        ${input.afterLoanId ? sql`and l.loan_id > ${input.afterLoanId}` : sql``}
    ) x
    where x.visit_due_on is not null or x.review_due_on is not null
    order by x.loan_id
    limit ${input.limit}`.execute(db);
  return rows;
}

/** Every active loan's band and next due dates, whether in the window or not (the oracle test's view of the SQL). */
export async function findNextMonitoringDates(db: Kysely<DB>): Promise<{ loan_id: string; visit_due_on: string; review_due_on: string }[]> {
  const { rows } = await sql<{ loan_id: string; visit_due_on: string; review_due_on: string }>`
    select l.loan_id,
      to_char(coalesce(l.last_visit_on, l.disbursed_on) + b.visit_every_days, 'YYYY-MM-DD') as visit_due_on,
      to_char(coalesce(l.last_review_on, l.disbursed_on) + b.review_every_days, 'YYYY-MM-DD') as review_due_on
    from loan_replica l
    join lateral (
      select m.visit_every_days, m.review_every_days from monitoring_cadence m
      where m.risk_class = l.risk_class and m.min_principal <= coalesce(l.principal, 0)
      order by m.min_principal desc limit 1
    ) b on true
    where l.status = 'ACTIVE' and l.disbursed_on is not null
    order by l.loan_id`.execute(db);
  return rows;
}

/** The open planned tasks of a loan (at most one visit and one review). */
export async function findOpenCadenceTasks(db: Kysely<DB>, loanId: string): Promise<TaskRow[]> {
  return db
    .selectFrom('task')
    .selectAll()
    .where('loan_id', '=', loanId)
    .where('cadence', 'is not', null)
    .where('status', 'in', ['OPEN', 'IN_PROGRESS'])
    .orderBy('id')
    .forUpdate()
    .execute();
}

export async function moveTaskDue(db: Kysely<DB>, taskId: string, dueAt: Date): Promise<void> {
  await db.updateTable('task').set({ due_at: dueAt }).where('id', '=', taskId).execute();
}

/** An open planned review past its due date on `asOf`, with who is told: the loan officer (else the relationship manager) and the branch manager. */
export interface OverdueReview {
  task_id: string;
  loan_id: string;
  customer_id: string;
  due_at: Date;
  officer_id: string | null;
  branch_manager_id: string | null;
}

/**
 * Open planned reviews whose due date is before `asOf` (`isReviewOverdue`), set-wise: due by the
 * end of their due date (`endOfDate`, the next day's start), so overdue once that is at or before
 * the start of `asOf`.
 */
export async function findOverdueReviews(db: Kysely<DB>, asOfStart: Date): Promise<OverdueReview[]> {
  return db
    .selectFrom('task as t')
    .leftJoin('loan_replica as l', 'l.loan_id', 't.loan_id')
    .leftJoin('customer_replica as c', 'c.id', 't.customer_id')
    .leftJoin('branch_manager as bm', 'bm.branch_id', 'c.branch_id')
    .select((eb) => [
      't.id as task_id',
      eb.fn.coalesce('t.loan_id', sql<string>`''`).as('loan_id'),
      't.customer_id',
      't.due_at',
      eb.fn.coalesce('l.officer_id', 'c.relationship_manager_id').as('officer_id'),
      'bm.manager_id as branch_manager_id',
    ])
    .where('t.cadence', '=', 'REVIEW')
    .where('t.status', 'in', ['OPEN', 'IN_PROGRESS'])
    .where('t.due_at', '<=', asOfStart)
    .orderBy('t.id')
    .execute();
}

/** The open review tasks of a loan a recorded credit review settles: its planned review and the escalations of an overdue one. */
export async function findOpenReviewWork(db: Kysely<DB>, loanId: string): Promise<TaskRow[]> {
  return db
    .selectFrom('task')
    .selectAll()
    .where('loan_id', '=', loanId)
    .where('status', 'in', ['OPEN', 'IN_PROGRESS'])
    .where((eb) => eb.or([eb('cadence', '=', 'REVIEW'), eb('dedupe_key', 'like', 'REVIEW_OVERDUE:%')]))
    .orderBy('id')
    .forUpdate()
    .execute();
}

/** The open monitoring work of a loan: its planned visit and review, and the escalations of an overdue review. */
export async function findOpenMonitoringWork(db: Kysely<DB>, loanId: string): Promise<TaskRow[]> {
  return db
    .selectFrom('task')
    .selectAll()
    .where('loan_id', '=', loanId)
    .where('status', 'in', ['OPEN', 'IN_PROGRESS'])
    .where((eb) => eb.or([eb('cadence', 'is not', null), eb('dedupe_key', 'like', 'REVIEW_OVERDUE:%')]))
    .orderBy('id')
    .forUpdate()
    .execute();
}

export async function cancelTaskBySystem(db: Kysely<DB>, taskId: string, reason: string, at: Date): Promise<TaskRow | undefined> {
  return db
    .updateTable('task')
    .set({ status: 'CANCELLED', cancelled_at: at, cancel_reason: reason })
    .where('id', '=', taskId)
    .where('status', 'in', ['OPEN', 'IN_PROGRESS'])
    .returningAll()
    .executeTakeFirst();
}

export async function completeTaskBySystem(db: Kysely<DB>, taskId: string, by: string, at: Date): Promise<TaskRow | undefined> {
  return db
    .updateTable('task')
    .set({ status: 'DONE', completed_at: at, completed_by: by })
    .where('id', '=', taskId)
    .where('status', 'in', ['OPEN', 'IN_PROGRESS'])
    .returningAll()
    .executeTakeFirst();
}

// ---- visit outcomes ----

export async function insertVisitOutcome(
  db: Kysely<DB>,
  row: {
    taskId: string;
    loanId: string;
    customerId: string;
    visitedOn: string;
    customerMet: boolean;
    businessOperating: boolean | null;
    fundUseAsDeclared: boolean | null;
    concerns: VisitConcern[];
    note: string | null;
    recordedBy: string;
    recordedAt: Date;
  },
): Promise<VisitOutcomeRow> {
  return db
    .insertInto('visit_outcome')
    .values({
      task_id: row.taskId,
      loan_id: row.loanId,
      customer_id: row.customerId,
      visited_on: row.visitedOn,
      customer_met: row.customerMet,
      business_operating: row.businessOperating,
      fund_use_as_declared: row.fundUseAsDeclared,
      concerns: JSON.stringify(row.concerns),
      note: row.note,
      recorded_by: row.recordedBy,
      recorded_at: row.recordedAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Visit outcomes of tasks (Task.visitOutcome, batched). */
export async function findVisitOutcomes(db: Kysely<DB>, taskIds: readonly string[]): Promise<VisitOutcomeRow[]> {
  if (!taskIds.length) return [];
  return db
    .selectFrom('visit_outcome')
    .selectAll()
    .where('task_id', 'in', [...taskIds])
    .execute();
}

// ---- branch managers ----

const BRANCH_MANAGER_ORDER: readonly SortKey[] = [{ ref: 'branch_manager.branch_id', type: 'text' }];

/** `Query.branchManagers`: a page by branch id after the cursor (`limit` is the page size plus one). */
export async function findBranchManagers(db: Kysely<DB>, window: PageWindow): Promise<Listed<BranchManagerRow>[]> {
  const base = db.selectFrom('branch_manager').selectAll('branch_manager');
  return pageQuery(base, 'branch_manager', BRANCH_MANAGER_ORDER, 'asc', { ...window, since: undefined }).execute();
}

export async function countBranchManagers(db: Kysely<DB>): Promise<number> {
  const row = await db
    .selectFrom('branch_manager')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function saveBranchManager(
  db: Kysely<DB>,
  row: { branchId: string; managerId: string; by: string; at: Date },
): Promise<{ before: BranchManagerRow | undefined; after: BranchManagerRow }> {
  const before = await db.selectFrom('branch_manager').selectAll().where('branch_id', '=', row.branchId).forUpdate().executeTakeFirst();
  const after = await db
    .insertInto('branch_manager')
    .values({ branch_id: row.branchId, manager_id: row.managerId, updated_by: row.by, updated_at: row.at })
    .onConflict((oc) => oc.column('branch_id').doUpdateSet({ manager_id: row.managerId, updated_by: row.by, updated_at: row.at }))
    .returningAll()
    .executeTakeFirstOrThrow();
  return { before, after };
}
