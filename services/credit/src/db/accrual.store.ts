import { minorUnitsSql } from '@crm/service-kit';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { accrualDaysSql, accrualDenominatorSql } from '../domain/accrual.ts';
import { roundMoneySql } from '../domain/money.ts';
import type { DB } from './schema.ts';

/**
 * The DAILY_ACCRUAL rule (domain/accrual.ts) set-wise: for every instalment of the current
 * schedule version of the DAILY_ACCRUAL loans selected, its interest as the loan stands on the
 * loan's date `d` (`interestAsOf`) and the interest accrued by `d` (`interestAccruedBy`), from the
 * same day weights, denominator and rounding as the TypeScript rule (`accrualDaysSql`,
 * `accrualDenominatorSql`, `roundMoneySql`). `d` is a SQL expression over the loan `l`; `where`
 * selects the loans (over `l`). Columns: loan_id, version, number, d, interest_as_of, accrued_by.
 */
export function dailyInterestQuery(d: RawBuilder<string>, where: RawBuilder<boolean>): RawBuilder<unknown> {
  const days = (from: string, to: string) => accrualDaysSql('w.day_count', from, to);
  const denominator = accrualDenominatorSql('w.day_count');
  const round = (exact: string) => `round(${roundMoneySql(exact, 'w.minor_units', 'w.rounding_mode')}, greatest(w.minor_units, 2))`;
  // balanceDays: financed * days(s, to) less each repayment's principal * days(max(its date, s), to)
  const balanceDays = (to: string) =>
    `(w.financed * ${days('w.s', to)} - coalesce((select sum(m.principal * ${days('greatest(m.paid_on, w.s)', to)})
      from daily_repaid m where m.loan_id = w.loan_id and m.paid_on < ${to}), 0))`;
  const begun = (to: string) => round(`w.annual_rate * ${balanceDays(to)} / ${denominator}`);
  const expected = round(`w.annual_rate * w.expected_balance * ${days('w.s', 'w.e')} / ${denominator}`);
  return sql`(
    with daily_loan as (
      select l.id as loan_id, l.schedule_version as version, l.disbursed_on, l.annual_rate,
        coalesce(l.financed_amount, l.principal) as financed, p.day_count, p.rounding_mode,
        ${sql.raw(minorUnitsSql('l.currency'))} as minor_units, (${d})::date as d
      from loan l join loan_product p on p.id = l.product_id
      where p.interest_method = 'DAILY_ACCRUAL' and l.disbursed_on is not null and (${where})
    ),
    daily_repaid as (
      select r.loan_id, r.paid_on, sum(r.principal_paid) as principal
      from repayment r join daily_loan dl on dl.loan_id = r.loan_id
      where r.reversed_at is null and r.paid_on <= dl.d
      group by r.loan_id, r.paid_on
    ),
    w0 as (
      select dl.*, i.number, i.due_date, i.interest_paid,
        case when i.paid_on <= dl.d then i.paid_on end as settled,
        i.number = max(i.number) over (partition by i.loan_id) as is_last,
        sum(i.principal - i.principal_paid) over (partition by i.loan_id order by i.number desc) as expected_balance
      from instalment i join daily_loan dl on dl.loan_id = i.loan_id and dl.version = i.version
    ),
    w1 as (
      select w0.*, case when is_last then coalesce(settled, greatest(due_date, d)) else least(due_date, coalesce(settled, due_date)) end as e0 from w0
    ),
    w2 as (
      select w1.*, coalesce(lag(e0) over (partition by loan_id order by number), disbursed_on) as s from w1
    ),
    w as (
      select w2.*, greatest(e0, s) as e, least(greatest(e0, s), d) as cut from w2
    )
    select w.loan_id, w.version, w.number, w.d,
      case when w.settled is not null then w.interest_paid
        when w.s > w.d then ${sql.raw(expected)}
        else greatest(w.interest_paid, ${sql.raw(begun('w.e'))}) end as interest_as_of,
      case when w.settled is not null then w.interest_paid
        when w.s > w.d then 0
        else greatest(w.interest_paid, ${sql.raw(begun('w.cut'))}) end as accrued_by
    from w
  )`;
}

/**
 * The date a DAILY_ACCRUAL loan's stored figures stand on: its latest end-of-day run or its latest
 * standing repayment, whichever is later (the disbursement before either).
 */
const standingDate = sql<string>`greatest(l.disbursed_on, coalesce(l.delinquency_as_of, l.disbursed_on),
  coalesce((select max(r.paid_on) from repayment r where r.loan_id = l.id and r.reversed_at is null), l.disbursed_on))`;

/**
 * Restates the `interest` of the current schedule version of DAILY_ACCRUAL loans to the rule as the
 * loan stands (`interestAsOf` on `standingDate`): settled instalments what they were charged, the
 * others what accrues in their window; the expected figure is kept in `scheduled_interest` the
 * first time. Loans: one (`loanId`), or those the end-of-day run moved forward (`eod_loan`).
 * Rows already right are not touched.
 */
export async function restateDailyInterest(tx: Kysely<DB>, loans: { loanId: string } | 'end-of-day'): Promise<number> {
  const where = loans === 'end-of-day' ? sql<boolean>`l.id in (select loan_id from eod_loan where forward)` : sql<boolean>`l.id = ${loans.loanId}`;
  const result = await sql`
    update instalment i set
      scheduled_interest = coalesce(i.scheduled_interest, i.interest + i.interest_waived),
      interest = di.interest_as_of
    from ${dailyInterestQuery(standingDate, where)} di
    where i.loan_id = di.loan_id and i.version = di.version and i.number = di.number
      and (i.interest <> di.interest_as_of or i.scheduled_interest is null)
  `.execute(tx);
  return Number(result.numAffectedRows ?? 0);
}
