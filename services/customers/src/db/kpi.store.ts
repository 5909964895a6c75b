import { inScopeSql, type KpiDimension, type KpiSqlRow, kpiGroupColumn, type Scope } from '@crm/service-kit';
import { expressionBuilder, type Kysely, type RawBuilder, sql } from 'kysely';
import type { SegmentRule } from '../domain/segment-rule.ts';
import type { DB } from './schema.ts';
import { compileSegmentRule } from './segment-rule.sql.ts';

/** A segment and its validated rule, for the SEGMENT dimension (members evaluated live, in the same statement). */
export interface SegmentForKpi {
  id: string;
  rule: SegmentRule;
}

export interface KpiQuery {
  groupBy: readonly KpiDimension[];
  from: string;
  to: string;
  scope: Scope;
  /** The segments (only read when grouping by SEGMENT) and today, for their rules. */
  segments: readonly SegmentForKpi[];
  today: string;
}

/** `(customer_id, segment_id)` of every member of every segment: one UNION ALL of compiled rules. */
function segmentMembers(segments: readonly SegmentForKpi[], today: string): RawBuilder<unknown> {
  if (!segments.length) return sql`select null::text as customer_id, null::text as segment_id where false`;
  const eb = expressionBuilder<DB, 'customer'>();
  return sql.join(
    segments.map((s) => sql`select customer.id as customer_id, ${s.id}::text as segment_id from customer where ${compileSegmentRule(eb, s.rule, today)}`),
    sql` union all `,
  );
}

/** `expr as g_dim, ...` for the dimensions asked, and the same expressions for GROUP BY. */
function groups(groupBy: readonly KpiDimension[], expressionOf: (d: KpiDimension) => RawBuilder<unknown>) {
  const selected = groupBy.map((d) => sql`${expressionOf(d)} as ${sql.id(kpiGroupColumn(d))}`);
  const keys = groupBy.map((d) => expressionOf(d));
  return {
    select: selected.length ? sql`${sql.join(selected)},` : sql``,
    groupBy: keys.length ? sql`group by ${sql.join(keys)}` : sql``,
    keys,
  };
}

const inScope = (scope: Scope, customerId: RawBuilder<unknown>) =>
  sql`exists (select 1 from customer sc where sc.id = ${customerId} and ${inScopeSql(scope, 'sc.branch_id', 'sc.relationship_manager_id')(expressionBuilder<DB, 'customer'>())})`;

/** GRADE_MIGRATION (domain/kpis.ts): customers by grade the day before `from` and grade on `to`. */
export async function gradeMigration(db: Kysely<DB>, q: KpiQuery): Promise<KpiSqlRow[]> {
  const expressionOf = (d: KpiDimension): RawBuilder<unknown> => {
    switch (d) {
      case 'FROM_GRADE':
        return sql`s.to_grade`;
      case 'TO_GRADE':
        return sql`e.to_grade`;
      case 'BRANCH':
        return sql`e.branch_id`;
      case 'OFFICER':
        return sql`e.relationship_manager_id`;
      case 'SEGMENT':
        return sql`m.segment_id`;
      default:
        throw new Error(`GRADE_MIGRATION has no dimension ${d}`);
    }
  };
  const g = groups(q.groupBy, expressionOf);
  // The denominator: customers of the same group (TO_GRADE aside) holding the same grade before.
  const rowKeys = q.groupBy.filter((d) => d !== 'TO_GRADE').map(expressionOf);
  const partition = rowKeys.length ? sql`partition by ${sql.join(rowKeys)}` : sql``;
  const segmentJoin = q.groupBy.includes('SEGMENT') ? sql`join (${segmentMembers(q.segments, q.today)}) m on m.customer_id = e.customer_id` : sql``;
  const result = await sql<KpiSqlRow>`
    with e as (
      select distinct on (g.customer_id) g.customer_id, g.to_grade, g.branch_id, g.relationship_manager_id
        from customer_grade_change g
       where g.effective_on <= ${q.to}::date and ${inScope(q.scope, sql`g.customer_id`)}
       order by g.customer_id, g.effective_on desc, g.id desc
    ), s as (
      select distinct on (g.customer_id) g.customer_id, g.to_grade
        from customer_grade_change g
       where g.effective_on < ${q.from}::date
       order by g.customer_id, g.effective_on desc, g.id desc
    )
    select ${g.select} count(*) as numerator, sum(count(*)) over (${partition}) as denominator
      from e left join s on s.customer_id = e.customer_id ${segmentJoin}
     ${g.groupBy}`.execute(db);
  return result.rows;
}

/** VALUE_UPLIFT (domain/kpis.ts): the sum of score changes dated in the period, and the customers who had one. */
export async function valueUplift(db: Kysely<DB>, q: KpiQuery): Promise<KpiSqlRow[]> {
  const expressionOf = (d: KpiDimension): RawBuilder<unknown> => {
    switch (d) {
      case 'BRANCH':
        return sql`c.branch_id`;
      case 'OFFICER':
        return sql`c.relationship_manager_id`;
      case 'MONTH':
        return sql`to_char(d.as_of, 'YYYY-MM')`;
      case 'SEGMENT':
        return sql`m.segment_id`;
      default:
        throw new Error(`VALUE_UPLIFT has no dimension ${d}`);
    }
  };
  const g = groups(q.groupBy, expressionOf);
  const segmentJoin = q.groupBy.includes('SEGMENT') ? sql`join (${segmentMembers(q.segments, q.today)}) m on m.customer_id = d.customer_id` : sql``;
  const result = await sql<KpiSqlRow>`
    with d as (
      select v.customer_id, v.as_of, v.total - lag(v.total) over (partition by v.customer_id order by v.as_of) as delta
        from customer_value_score v
       where v.as_of <= ${q.to}::date and ${inScope(q.scope, sql`v.customer_id`)}
    )
    select ${g.select} sum(d.delta) as numerator, count(distinct d.customer_id) as denominator
      from d join customer c on c.id = d.customer_id ${segmentJoin}
     where d.as_of >= ${q.from}::date and d.delta is not null
     ${g.groupBy}`.execute(db);
  return result.rows;
}
