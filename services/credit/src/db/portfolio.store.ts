import type { Scope } from '@crm/service-kit';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { collectionRate, monthStart, type PortfolioFigures, type RollRateState, ratio, type VintagePoint } from '../domain/portfolio.ts';
import { loanAttributes } from './loan.store.ts';
import type { DB, DelinquencyBucket } from './schema.ts';
import { customerInScope } from './scope.ts';

export interface PortfolioFilter {
  asOf?: string | null;
  periodFrom?: string | null;
  branchId?: string | null;
  officerId?: string | null;
  productCode?: string | null;
  currency?: string | null;
}

/**
 * The schedule version of loan `l` in force on a date: the latest one a restructuring (effective
 * on or before it) or a re-amortising prepayment (valued on or before it, standing) created, else
 * the first. So a past period's collection rate is read on the schedule of that time.
 */
const versionInForce = (date: RawBuilder<unknown>) => sql`least(l.schedule_version, coalesce((
    select max(v.version) from (
      select x.to_version as version from restructuring x where x.loan_id = l.id and x.status = 'APPROVED' and x.effective_on <= ${date}
      union all
      select r.rescheduled_version from repayment r where r.loan_id = l.id and r.rescheduled_version is not null and r.reversed_at is null and r.paid_on <= ${date}
    ) v), 1))`;

/**
 * Portfolio metrics from the end-of-day snapshots of one date (the latest run on or before
 * `asOf`), in three aggregate queries. Amounts are summed across currencies only when the filter
 * does not name one: filter by currency for a meaningful total in a multi-currency book.
 */
export async function findPortfolioFigures(db: Kysely<DB>, scope: Scope, filter: PortfolioFilter, today: string): Promise<PortfolioFigures> {
  const upTo = filter.asOf ?? today;
  const latest = await db
    .selectFrom('loan_delinquency')
    .select(sql<string | null>`to_char(max(as_of), 'YYYY-MM-DD')`.as('as_of'))
    .where('as_of', '<=', upTo)
    .executeTakeFirst();
  const asOf = latest?.as_of ?? null;
  const loanFilter = sql.join(
    [
      sql`true`,
      // Aggregates count only the loans the caller may see.
      customerInScope(scope, 'l.customer_id'),
      ...(filter.branchId ? [sql`l.branch_id = ${filter.branchId}`] : []),
      ...(filter.officerId ? [sql`l.officer_id = ${filter.officerId}`] : []),
      ...(filter.productCode ? [sql`l.product_code = ${filter.productCode}`] : []),
      ...(filter.currency ? [sql`l.currency = ${filter.currency}`] : []),
    ],
    sql` and `,
  );
  const book = await sql<{ loans: string; outstanding: string; par30: string; par90: string; npl: string }>`
    select count(*) as loans,
      coalesce(sum(d.outstanding_principal), 0) as outstanding,
      coalesce(sum(d.outstanding_principal) filter (where d.dpd > 30), 0) as par30,
      coalesce(sum(d.outstanding_principal) filter (where d.dpd > 90), 0) as par90,
      coalesce(sum(d.outstanding_principal) filter (where coalesce(l.risk_class_override, d.risk_class) in ('SUBSTANDARD', 'DOUBTFUL', 'LOSS')), 0) as npl
    from loan_delinquency d join loan l on l.id = d.loan_id
    where d.as_of = ${asOf} and ${loanFilter}
  `.execute(db);
  const to = asOf ?? upTo;
  const from = filter.periodFrom ?? monthStart(to);
  const collection = await sql<{ due: string; collected: string }>`
    select coalesce(sum(i.principal + i.interest), 0) as due,
      coalesce(sum(a.paid), 0) as collected
    from instalment i
    join loan l on l.id = i.loan_id and i.version = ${versionInForce(sql`${to}::date`)}
    left join (
      select loan_id, version, number, sum(principal + interest) as paid
      from repayment_allocation where paid_on <= ${to} group by loan_id, version, number
    ) a on a.loan_id = i.loan_id and a.version = i.version and a.number = i.number
    where i.due_date between ${from} and ${to} and ${loanFilter}
  `.execute(db);
  const repeat = await sql<{ borrowers: string; repeaters: string }>`
    select count(*) as borrowers, count(*) filter (where n > 1) as repeaters
    from (select l.customer_id, count(*) as n from loan l where l.disbursed_on <= ${to} and ${loanFilter} group by l.customer_id) b
  `.execute(db);
  const b = book.rows[0];
  const c = collection.rows[0];
  const r = repeat.rows[0];
  const outstanding = b?.outstanding ?? '0';
  return {
    asOf,
    currency: filter.currency ?? null,
    activeLoans: Number(b?.loans ?? 0),
    outstandingPrincipal: outstanding,
    par30: ratio(b?.par30 ?? '0', outstanding),
    par90: ratio(b?.par90 ?? '0', outstanding),
    nonPerformingRatio: ratio(b?.npl ?? '0', outstanding),
    collectionRate: c ? collectionRate(c.collected, c.due) : null,
    repeatBorrowerRate: ratio(r?.repeaters ?? '0', r?.borrowers ?? '0'),
  };
}

/** The part of the book a portfolio read covers (BookFilter). */
export interface BookFilter {
  branchId?: string | null;
  officerId?: string | null;
  productCode?: string | null;
  currency?: string | null;
}

/** The latest end-of-day date on or before `date` (null: none). */
const latestRun = (date: string) => sql<string | null>`(select max(as_of) from loan_delinquency where as_of <= ${date}::date)`;

/**
 * Roll rates between the runs of `from` and `to` (each the latest on or before): for each loan in
 * the run of `from`, its bucket there and its state in the run of `to` (a bucket, or closed /
 * written off by then, or not evaluated), counted and summed (outstanding at `from`), one statement.
 */
export async function findRollRates(
  db: Kysely<DB>,
  scope: Scope,
  from: string,
  to: string,
  filter: BookFilter,
): Promise<{
  fromAsOf: string | null;
  toAsOf: string | null;
  cells: { from_bucket: DelinquencyBucket; to_state: RollRateState; loans: string; outstanding: string }[];
}> {
  const { rows } = await sql<{
    f: string | null;
    t: string | null;
    from_bucket: DelinquencyBucket | null;
    to_state: RollRateState | null;
    loans: string;
    outstanding: string;
  }>`
    with runs as (select to_char(${latestRun(from)}, 'YYYY-MM-DD') as f, to_char(${latestRun(to)}, 'YYYY-MM-DD') as t),
    cells as (
      select a.bucket as from_bucket,
        case when b.bucket is not null then b.bucket
             when l.written_off_on <= runs.t::date then 'WRITTEN_OFF'
             when l.closed_on <= runs.t::date then 'CLOSED'
             else 'NOT_EVALUATED' end as to_state,
        count(*) as loans, sum(a.outstanding_principal) as outstanding
      from runs
      join loan_delinquency a on a.as_of = runs.f::date
      join loan l on l.id = a.loan_id
      left join loan_delinquency b on b.loan_id = a.loan_id and b.as_of = runs.t::date
      where ${customerInScope(scope, 'l.customer_id')} and ${loanAttributes(filter, 'l')}
      group by 1, 2
    )
    select runs.f, runs.t, cells.* from runs left join cells on true`.execute(db);
  return {
    fromAsOf: rows[0]?.f ?? null,
    toAsOf: rows[0]?.t ?? null,
    cells: rows.flatMap((r) =>
      r.from_bucket && r.to_state ? [{ from_bucket: r.from_bucket, to_state: r.to_state, loans: r.loans, outstanding: r.outstanding }] : [],
    ),
  };
}

/**
 * Vintage curves in one statement: every disbursed loan, for each calendar month from its
 * disbursement month to the month of the latest run, its last snapshot in that month; grouped by
 * disbursement month and months on book.
 */
export async function findVintages(db: Kysely<DB>, scope: Scope, filter: BookFilter): Promise<VintagePoint[]> {
  const { rows } = await sql<{ vintage: string; mob: number; loans: string; disbursed: string; outstanding: string; par30: string; written_off: string }>`
    with latest as (select max(as_of) as d from loan_delinquency),
    v as (
      select l.id, l.principal, date_trunc('month', l.disbursed_on)::date as vstart, l.written_off_on,
        case when l.written_off_on is not null then (
          select coalesce(sum(i.principal - i.principal_paid), 0) from instalment i where i.loan_id = l.id and i.version = l.schedule_version
        ) end as written_off_principal
      from loan l cross join latest
      where l.disbursed_on is not null and l.disbursed_on <= latest.d
        and ${customerInScope(scope, 'l.customer_id')} and ${loanAttributes(filter, 'l')}
    ),
    cells as (
      select v.*, m.mob, (v.vstart + make_interval(months => m.mob))::date as mstart, (v.vstart + make_interval(months => m.mob + 1))::date as mnext
      from v cross join latest
      cross join lateral generate_series(0,
        (extract(year from latest.d)::int - extract(year from v.vstart)::int) * 12 + extract(month from latest.d)::int - extract(month from v.vstart)::int) as m(mob)
    )
    select to_char(c.vstart, 'YYYY-MM') as vintage, c.mob, count(*) as loans, sum(c.principal) as disbursed,
      coalesce(sum(s.outstanding_principal), 0) as outstanding,
      coalesce(sum(s.outstanding_principal) filter (where s.dpd > 30), 0) as par30,
      coalesce(sum(c.written_off_principal) filter (where c.written_off_on < c.mnext), 0) as written_off
    from cells c
    left join lateral (
      select d.dpd, d.outstanding_principal from loan_delinquency d
       where d.loan_id = c.id and d.as_of >= c.mstart and d.as_of < c.mnext order by d.as_of desc limit 1
    ) s on true
    group by c.vstart, c.mob
    order by c.vstart, c.mob`.execute(db);
  return rows.map((r) => ({
    vintage: r.vintage,
    monthsOnBook: Number(r.mob),
    loans: Number(r.loans),
    disbursedPrincipal: String(r.disbursed),
    outstanding: String(r.outstanding),
    par30Outstanding: String(r.par30),
    writtenOffPrincipal: String(r.written_off),
    par30Rate: ratio(String(r.par30), String(r.disbursed)),
    writeOffRate: ratio(String(r.written_off), String(r.disbursed)),
  }));
}
