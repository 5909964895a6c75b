import { isoDate, type Scope } from '@crm/service-kit';
import { type Kysely, sql } from 'kysely';
import { collectionRate, monthStart, type PortfolioFigures, ratio } from '../domain/portfolio.ts';
import type { DB } from './schema.ts';
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
 * Portfolio metrics from the end-of-day snapshots of one date (the latest run on or before
 * `asOf`), in three aggregate queries. Amounts are summed across currencies only when the filter
 * does not name one: filter by currency for a meaningful total in a multi-currency book.
 */
export async function findPortfolioFigures(db: Kysely<DB>, scope: Scope, filter: PortfolioFilter, now: Date): Promise<PortfolioFigures> {
  const upTo = filter.asOf ?? isoDate(now);
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
    join loan l on l.id = i.loan_id and i.version = l.schedule_version
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
