import { inScopeSql, type KpiDimension, type KpiSqlRow, kpiGroupColumn } from '@crm/service-kit';
import { expressionBuilder, type Kysely, type RawBuilder, sql } from 'kysely';
import type { KpiQuery } from './kpi.store.ts';
import type { DB } from './schema.ts';

/**
 * The SQL of the offer and retention KPIs (formulas in domain/offers.ts OFFER_KPIS): one grouped
 * statement per metric returning `numerator`, `denominator` and a `g_<dimension>` column per
 * dimension asked. Periods are UTC days, `from` to `to` inclusive; only customers in scope count.
 */

function groups(groupBy: readonly KpiDimension[], expressions: Partial<Record<KpiDimension, RawBuilder<unknown>>>) {
  const exprs = groupBy.map((d) => {
    const e = expressions[d];
    if (!e) throw new Error(`no dimension ${d}`);
    return { d, e };
  });
  return {
    select: exprs.length ? sql`${sql.join(exprs.map(({ d, e }) => sql`${e} as ${sql.id(kpiGroupColumn(d))}`))},` : sql``,
    groupBy: exprs.length ? sql`group by ${sql.join(exprs.map(({ e }) => e))}` : sql``,
  };
}

const inScope = (q: KpiQuery, customerId: RawBuilder<unknown>) =>
  q.scope.kind === 'all'
    ? sql`true`
    : sql`exists (select 1 from customer_replica sc where sc.id = ${customerId} and ${inScopeSql(q.scope, 'sc.branch_id', 'sc.relationship_manager_id')(expressionBuilder<DB, 'customer_replica'>())})`;
const periodStart = (q: KpiQuery) => sql`(${q.from}::date)::timestamp at time zone 'UTC'`;
const periodEnd = (q: KpiQuery) => sql`(${q.to}::date + 1)::timestamp at time zone 'UTC'`;
const branchOf = (customerId: RawBuilder<unknown>) => sql`(select b.branch_id from customer_replica b where b.id = ${customerId})`;

/** OFFER_ACCEPTANCE_RATE: offers answered in the period; accepted ones over them. */
export async function offerAcceptanceRate(db: Kysely<DB>, q: KpiQuery): Promise<KpiSqlRow[]> {
  const g = groups(q.groupBy, {
    BRANCH: branchOf(sql`o.customer_id`),
    OFFICER: sql`o.assignee_id`,
    MONTH: sql`to_char(o.outcome_recorded_at at time zone 'UTC', 'YYYY-MM')`,
  });
  const { rows } = await sql<KpiSqlRow>`
    select ${g.select} count(*) filter (where o.status = 'ACCEPTED') as numerator, count(*) as denominator
      from offer o
     where o.status in ('ACCEPTED', 'DECLINED', 'NOT_NOW')
       and o.outcome_recorded_at >= ${periodStart(q)} and o.outcome_recorded_at < ${periodEnd(q)}
       and ${inScope(q, sql`o.customer_id`)}
     ${g.groupBy}`.execute(db);
  return rows;
}

/** Retention tasks with an outcome recorded in the period (all of them, or those of a grade at risk); SAVED over them. */
async function retentionSaves(db: Kysely<DB>, q: KpiQuery, gradeAtRiskOnly: boolean): Promise<KpiSqlRow[]> {
  const g = groups(q.groupBy, {
    BRANCH: branchOf(sql`t.customer_id`),
    OFFICER: sql`t.assignee_id`,
    MONTH: sql`to_char(t.outcome_recorded_at at time zone 'UTC', 'YYYY-MM')`,
  });
  const { rows } = await sql<KpiSqlRow>`
    select ${g.select} count(*) filter (where t.outcome = 'SAVED') as numerator, count(*) as denominator
      from task t
     where t.type = 'RETENTION' and t.outcome is not null
       and ${gradeAtRiskOnly ? sql`t.dedupe_key like 'GRADE_AT_RISK:%'` : sql`true`}
       and t.outcome_recorded_at >= ${periodStart(q)} and t.outcome_recorded_at < ${periodEnd(q)}
       and ${inScope(q, sql`t.customer_id`)}
     ${g.groupBy}`.execute(db);
  return rows;
}

export const atRiskGradeSaveRate = (db: Kysely<DB>, q: KpiQuery) => retentionSaves(db, q, true);
export const retentionSaveRate = (db: Kysely<DB>, q: KpiQuery) => retentionSaves(db, q, false);
