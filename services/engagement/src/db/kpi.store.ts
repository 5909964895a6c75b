import { inScopeSql, type KpiDimension, type KpiSqlRow, kpiGroupColumn, type Scope } from '@crm/service-kit';
import { expressionBuilder, type Kysely, type RawBuilder, sql } from 'kysely';
import { NPS_DETRACTOR_MAX, NPS_PROMOTER_MIN } from '../domain/surveys.ts';
import type { DB } from './schema.ts';

/**
 * The SQL of engagement's KPIs (formulas in domain/kpis.ts): one grouped statement per metric
 * returning `numerator`, `denominator` and a `g_<dimension>` column per dimension asked. Periods
 * are UTC days, `from` inclusive to `to` inclusive. Only customers in the caller's scope count.
 */
export interface KpiQuery {
  groupBy: readonly KpiDimension[];
  from: string;
  to: string;
  scope: Scope;
  /** Now, for "still open after its deadline". */
  now: Date;
}

/** `expr as g_dim, ...` for the dimensions asked, and the same expressions for GROUP BY. */
function groups(metric: string, groupBy: readonly KpiDimension[], expressions: Partial<Record<KpiDimension, RawBuilder<unknown>>>) {
  const exprs = groupBy.map((d) => {
    const e = expressions[d];
    if (!e) throw new Error(`${metric} has no dimension ${d}`);
    return { d, e };
  });
  return {
    select: exprs.length ? sql`${sql.join(exprs.map(({ d, e }) => sql`${e} as ${sql.id(kpiGroupColumn(d))}`))},` : sql``,
    groupBy: exprs.length ? sql`group by ${sql.join(exprs.map(({ e }) => e))}` : sql``,
  };
}

/** The scope over a customer-id expression (through the replica). */
const inScope = (scope: Scope, customerId: RawBuilder<unknown>) =>
  scope.kind === 'all'
    ? sql`true`
    : sql`exists (select 1 from customer_replica sc where sc.id = ${customerId} and ${inScopeSql(scope, 'sc.branch_id', 'sc.relationship_manager_id')(expressionBuilder<DB, 'customer_replica'>())})`;

const periodStart = (q: KpiQuery) => sql`(${q.from}::date)::timestamp at time zone 'UTC'`;
const periodEnd = (q: KpiQuery) => sql`(${q.to}::date + 1)::timestamp at time zone 'UTC'`;
const branchOf = (customerId: RawBuilder<unknown>) => sql`(select b.branch_id from customer_replica b where b.id = ${customerId})`;

/**
 * CHURN_RATE and RETENTION_RATE: the base is the customers ACTIVE or DORMANT at the start of each
 * period (one period, or one per month of [from, to] with MONTH); churned = moved to CHURNED
 * within it; retained = not CHURNED at its end.
 */
async function customerBase(db: Kysely<DB>, q: KpiQuery, metric: 'CHURN_RATE' | 'RETENTION_RATE'): Promise<KpiSqlRow[]> {
  const byMonth = q.groupBy.includes('MONTH');
  const periods = byMonth
    ? sql`select to_char(m, 'YYYY-MM') as month,
                 greatest(m, ${q.from}::date)::timestamp at time zone 'UTC' as starts,
                 least((m + interval '1 month')::date, ${q.to}::date + 1)::timestamp at time zone 'UTC' as ends
            from generate_series(date_trunc('month', ${q.from}::date), ${q.to}::date, interval '1 month') m`
    : sql`select null::text as month, ${periodStart(q)} as starts, ${periodEnd(q)} as ends`;
  const statusBefore = (instant: RawBuilder<unknown>) =>
    sql`(select s.status from customer_status_replica s where s.customer_id = c.id and s.changed_at < ${instant} order by s.changed_at desc, s.event_id desc limit 1)`;
  const g = groups(metric, q.groupBy, { BRANCH: sql`b.branch_id`, OFFICER: sql`b.relationship_manager_id`, MONTH: sql`b.month` });
  const numerator = metric === 'CHURN_RATE' ? sql`count(*) filter (where b.churned)` : sql`count(*) filter (where b.end_status is distinct from 'CHURNED')`;
  const result = await sql<KpiSqlRow>`
    with p as (${periods}),
    b as (
      select p.month, c.branch_id, c.relationship_manager_id,
             ${statusBefore(sql`p.starts`)} as start_status,
             ${statusBefore(sql`p.ends`)} as end_status,
             exists (select 1 from customer_status_replica s
                      where s.customer_id = c.id and s.status = 'CHURNED' and s.changed_at >= p.starts and s.changed_at < p.ends) as churned
        from p cross join customer_replica c
       where ${inScopeSql(q.scope, 'c.branch_id', 'c.relationship_manager_id')(expressionBuilder<DB, 'customer_replica'>())}
    )
    select ${g.select} ${numerator} as numerator, count(*) as denominator
      from b
     where b.start_status in ('ACTIVE', 'DORMANT')
     ${g.groupBy}`.execute(db);
  return result.rows;
}

export const churnRate = (db: Kysely<DB>, q: KpiQuery) => customerBase(db, q, 'CHURN_RATE');
export const retentionRate = (db: Kysely<DB>, q: KpiQuery) => customerBase(db, q, 'RETENTION_RATE');

const RESOLVED = sql`k.status in ('RESOLVED', 'CLOSED')`;

/** COMPLAINT_SLA_COMPLIANCE: complaints received in the period with a known outcome; met = resolved by the deadline. */
export async function complaintSlaCompliance(db: Kysely<DB>, q: KpiQuery): Promise<KpiSqlRow[]> {
  const g = groups('COMPLAINT_SLA_COMPLIANCE', q.groupBy, {
    BRANCH: branchOf(sql`k.customer_id`),
    OFFICER: sql`k.assignee_id`,
    MONTH: sql`to_char(k.received_at at time zone 'UTC', 'YYYY-MM')`,
  });
  const result = await sql<KpiSqlRow>`
    select ${g.select}
           count(*) filter (where ${RESOLVED} and k.resolved_at <= k.resolve_due_at) as numerator,
           count(*) as denominator
      from complaint k
     where k.kind = 'COMPLAINT'
       and k.received_at >= ${periodStart(q)} and k.received_at < ${periodEnd(q)}
       and (${RESOLVED} or k.resolve_due_at < ${q.now})
       and ${inScope(q.scope, sql`k.customer_id`)}
     ${g.groupBy}`.execute(db);
  return result.rows;
}

/** COMPLAINT_RESOLUTION_HOURS: hours from receipt to resolution of the complaints resolved in the period. */
export async function complaintResolutionHours(db: Kysely<DB>, q: KpiQuery): Promise<KpiSqlRow[]> {
  const g = groups('COMPLAINT_RESOLUTION_HOURS', q.groupBy, {
    BRANCH: branchOf(sql`k.customer_id`),
    OFFICER: sql`k.assignee_id`,
    MONTH: sql`to_char(k.resolved_at at time zone 'UTC', 'YYYY-MM')`,
  });
  const result = await sql<KpiSqlRow>`
    select ${g.select}
           round(sum(extract(epoch from (k.resolved_at - k.received_at))) / 3600, 6) as numerator,
           count(*) as denominator
      from complaint k
     where k.kind = 'COMPLAINT' and ${RESOLVED}
       and k.resolved_at >= ${periodStart(q)} and k.resolved_at < ${periodEnd(q)}
       and ${inScope(q.scope, sql`k.customer_id`)}
     ${g.groupBy}`.execute(db);
  return result.rows;
}

/** TASK_COMPLETION_RATE and TASK_OVERDUE_RATE: tasks due in the period, cancelled ones aside. */
async function tasksDue(db: Kysely<DB>, q: KpiQuery, metric: 'TASK_COMPLETION_RATE' | 'TASK_OVERDUE_RATE'): Promise<KpiSqlRow[]> {
  const g = groups(metric, q.groupBy, {
    BRANCH: branchOf(sql`t.customer_id`),
    OFFICER: sql`t.assignee_id`,
    MONTH: sql`to_char(t.due_at at time zone 'UTC', 'YYYY-MM')`,
  });
  const numerator =
    metric === 'TASK_COMPLETION_RATE'
      ? sql`count(*) filter (where t.status = 'DONE')`
      : sql`count(*) filter (where (t.status = 'DONE' and t.completed_at > t.due_at) or (t.status in ('OPEN', 'IN_PROGRESS') and t.due_at < ${q.now}))`;
  const result = await sql<KpiSqlRow>`
    select ${g.select} ${numerator} as numerator, count(*) as denominator
      from task t
     where t.status <> 'CANCELLED'
       and t.due_at >= ${periodStart(q)} and t.due_at < ${periodEnd(q)}
       and ${inScope(q.scope, sql`t.customer_id`)}
     ${g.groupBy}`.execute(db);
  return result.rows;
}

export const taskCompletionRate = (db: Kysely<DB>, q: KpiQuery) => tasksDue(db, q, 'TASK_COMPLETION_RATE');
export const taskOverdueRate = (db: Kysely<DB>, q: KpiQuery) => tasksDue(db, q, 'TASK_OVERDUE_RATE');

/** NPS and CSAT: the answers given in the period, grouped by branch and officer at dispatch or month answered. */
async function surveyScores(db: Kysely<DB>, q: KpiQuery, metric: 'NPS' | 'CSAT'): Promise<KpiSqlRow[]> {
  const g = groups(metric, q.groupBy, {
    BRANCH: sql`r.branch_id`,
    OFFICER: sql`r.officer_id`,
    MONTH: sql`to_char(r.responded_at at time zone 'UTC', 'YYYY-MM')`,
  });
  const parts =
    metric === 'NPS'
      ? sql`100 * (count(*) filter (where r.nps_score >= ${NPS_PROMOTER_MIN}) - count(*) filter (where r.nps_score <= ${NPS_DETRACTOR_MAX})) as numerator,
            count(r.nps_score) as denominator`
      : sql`sum(r.csat_score) as numerator, count(r.csat_score) as denominator`;
  const column = metric === 'NPS' ? sql`r.nps_score` : sql`r.csat_score`;
  const result = await sql<KpiSqlRow>`
    select ${g.select} ${parts}
      from survey_response r
     where ${column} is not null
       and r.responded_at >= ${periodStart(q)} and r.responded_at < ${periodEnd(q)}
       and ${inScope(q.scope, sql`r.customer_id`)}
     ${g.groupBy}`.execute(db);
  return result.rows;
}

export const nps = (db: Kysely<DB>, q: KpiQuery) => surveyScores(db, q, 'NPS');
export const csat = (db: Kysely<DB>, q: KpiQuery) => surveyScores(db, q, 'CSAT');
