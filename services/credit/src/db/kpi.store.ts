import { type KpiDimension, type KpiSqlRow, kpiGroupColumn, type Scope } from '@crm/service-kit';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { type CreditKpiMetric, HIT_WINDOW_DAYS, PAR30_DAYS } from '../domain/kpis.ts';
import type { DB } from './schema.ts';
import { customerInScope } from './scope.ts';
import { outcomeKnownSql, raisedBefore30DpdSql, resolvedBefore30DpdSql } from './warning-outcome.store.ts';

export interface KpiQuery {
  groupBy: readonly KpiDimension[];
  from: string;
  to: string;
  scope: Scope;
}

/** The loan's dimensions (alias `l`); MONTH is the metric's own date. */
function loanDimension(d: KpiDimension, month: RawBuilder<unknown>): RawBuilder<unknown> {
  switch (d) {
    case 'BRANCH':
      return sql`l.branch_id`;
    case 'OFFICER':
      return sql`l.officer_id`;
    case 'PRODUCT':
      return sql`l.product_code`;
    case 'CURRENCY':
      return sql`l.currency`;
    case 'MONTH':
      return month;
    default:
      throw new Error(`credit KPIs have no dimension ${d}`);
  }
}

function groups(groupBy: readonly KpiDimension[], month: RawBuilder<unknown>) {
  const keys = groupBy.map((d) => loanDimension(d, month));
  return {
    select: keys.length ? sql`${sql.join(groupBy.map((d, i) => sql`${keys[i]} as ${sql.id(kpiGroupColumn(d))}`))},` : sql``,
    groupBy: keys.length ? sql`group by ${sql.join(keys)}` : sql``,
  };
}

/** The UTC calendar date of a timestamp. */
const utcDate = (column: string) => sql`(${sql.ref(column)} at time zone 'UTC')::date`;

/** One grouped statement per metric (formulas in domain/kpis.ts). */
export async function creditKpiRows(db: Kysely<DB>, metric: CreditKpiMetric, q: KpiQuery): Promise<KpiSqlRow[]> {
  const inScope = customerInScope(q.scope, 'l.customer_id');
  switch (metric) {
    case 'WARNING_RESOLUTION_TIME': {
      const g = groups(q.groupBy, sql`to_char(${utcDate('w.resolved_at')}, 'YYYY-MM')`);
      const { rows } = await sql<KpiSqlRow>`
        select ${g.select} round(sum(extract(epoch from (w.resolved_at - w.raised_at)) / 3600), 4) as numerator, count(*) as denominator
          from risk_warning w join loan l on l.id = w.loan_id
         where w.status = 'RESOLVED' and ${utcDate('w.resolved_at')} between ${q.from}::date and ${q.to}::date and ${inScope}
         ${g.groupBy}`.execute(db);
      return rows;
    }
    case 'WARNING_HIT_RATE': {
      const g = groups(q.groupBy, sql`to_char(${utcDate('w.raised_at')}, 'YYYY-MM')`);
      const { rows } = await sql<KpiSqlRow>`
        select ${g.select}
          count(*) filter (where exists (
            select 1 from loan_delinquency d
             where d.loan_id = w.loan_id and d.dpd > ${PAR30_DAYS}::int
               and d.as_of > ${utcDate('w.raised_at')} and d.as_of <= ${utcDate('w.raised_at')} + ${HIT_WINDOW_DAYS}::int
          )) as numerator,
          count(*) as denominator
          from risk_warning w join loan l on l.id = w.loan_id
         where ${utcDate('w.raised_at')} between ${q.from}::date and ${q.to}::date and ${inScope}
         ${g.groupBy}`.execute(db);
      return rows;
    }
    case 'PAR30': {
      const byMonth = q.groupBy.includes('MONTH');
      const g = groups(q.groupBy, sql`to_char(d.as_of, 'YYYY-MM')`);
      const { rows } = await sql<KpiSqlRow>`
        with runs as (
          select max(as_of) as as_of from loan_delinquency where as_of between ${q.from}::date and ${q.to}::date
          ${byMonth ? sql`group by to_char(as_of, 'YYYY-MM')` : sql``}
        )
        select ${g.select}
          coalesce(sum(d.outstanding_principal) filter (where d.dpd > ${PAR30_DAYS}::int), 0) as numerator,
          sum(d.outstanding_principal) as denominator
          from loan_delinquency d join runs r on r.as_of = d.as_of join loan l on l.id = d.loan_id
         where ${inScope}
         ${g.groupBy}`.execute(db);
      return rows;
    }
    case 'WARNINGS_RESOLVED_BEFORE_30_DPD': {
      // one source with the outcome recorded on each warning: db/warning-outcome.store.ts
      const g = groups(q.groupBy, sql`to_char(${utcDate('w.raised_at')}, 'YYYY-MM')`);
      const { rows } = await sql<KpiSqlRow>`
        select ${g.select} count(*) filter (where ${resolvedBefore30DpdSql}) as numerator, count(*) as denominator
          from risk_warning w join loan l on l.id = w.loan_id
         where ${utcDate('w.raised_at')} between ${q.from}::date and ${q.to}::date and ${inScope}
           and w.outcome is distinct from 'FALSE_ALARM' and ${raisedBefore30DpdSql} and ${outcomeKnownSql}
         ${g.groupBy}`.execute(db);
      return rows;
    }
    case 'COLLECTION_RATE': {
      const g = groups(q.groupBy, sql`to_char(i.due_date, 'YYYY-MM')`);
      const { rows } = await sql<KpiSqlRow>`
        select ${g.select} coalesce(sum(a.paid), 0) as numerator, sum(i.principal + i.interest) as denominator
          from instalment i
          join loan l on l.id = i.loan_id and i.version = l.schedule_version
          left join (
            select loan_id, version, number, sum(principal + interest) as paid
              from repayment_allocation where paid_on <= ${q.to}::date group by loan_id, version, number
          ) a on a.loan_id = i.loan_id and a.version = i.version and a.number = i.number
         where i.due_date between ${q.from}::date and ${q.to}::date and ${inScope}
         ${g.groupBy}`.execute(db);
      return rows;
    }
  }
}
