import { minorUnitsSql } from '@crm/service-kit';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { BUCKET_FLOORS, type DelinquencyBucket, penaltyDueSql, type RiskClass, riskClassBands } from '../domain/delinquency.ts';
import { dailyInterestQuery, restateDailyInterest } from './accrual.store.ts';
import { penaltyFullSql, waivedDaysOfStagedInstalmentSql } from './crisis.store.ts';
import type { DB, WarningRuleKind, WarningSeverity } from './schema.ts';
import { findThresholds } from './threshold.store.ts';

/**
 * The end-of-day delinquency run, set-wise: a handful of statements over all loans whatever
 * their number. Every figure is recomputed from the schedule and the repayment allocations
 * dated on or before `asOf`, so a run reconstructs that date's state and a second run for the
 * same date finds nothing new. Loan and instalment "current" columns, events and warnings only
 * move forward: a run for a date before a loan's latest run rewrites that date's snapshot only.
 */

/** SQL uuid v7 (time-ordered, like the ids the application makes). */
const uuidV7 = sql<string>`encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3) from 1 for 6), 52, 1), 53, 1), 'hex')::uuid::text`;

/** The currency's minor unit from the platform's one ISO 4217 table (service-kit money.ts), as SQL over the loan. */
const currencyMinorUnits = sql.raw(minorUnitsSql('l.currency'));

/** `penaltyDue` (domain/delinquency.ts) over the staged columns: the one formula, cap and rounding mode included. */
const penaltyDueExpression = sql.raw(
  penaltyDueSql({
    unpaid: 's.unpaid',
    penaltyRate: 's.penalty_rate',
    // the days past due less the days a crisis penalty waiver spares (domain/crisis.ts; 0 without waivers)
    dpd: 's.penalty_dpd',
    graceDays: 's.grace_days',
    minorUnits: 's.minor_units',
    penaltyCapRate: 's.penalty_cap_rate',
    rounding: 's.rounding_mode',
  }),
);

/**
 * `case when dpd >= floor then band ... else fallback end` from a domain band table (highest floor
 * first), floors and bands passed as parameters: the SQL never restates a boundary.
 */
function bandCase(dpd: RawBuilder<number>, bands: readonly (readonly [string, number])[], fallback: string): RawBuilder<string> {
  if (!bands.length) return sql<string>`${fallback}::text`;
  const whens = bands.map(([band, floor]) => sql`when ${dpd} >= ${floor}::int then ${band}::text`);
  return sql<string>`case ${sql.join(whens, sql` `)} else ${fallback}::text end`;
}

/** The loans a run (or a single loan's re-evaluation) covers on `asOf`, over the loan `l`. */
const stagedLoan = (asOf: string, loanId: string | null) => sql<boolean>`l.disbursed_on <= ${asOf}::date
  and (l.closed_on is null or l.closed_on > ${asOf}::date)
  and (l.written_off_on is null or l.written_off_on > ${asOf}::date)
  and (${loanId}::text is null or l.id = ${loanId}::text)`;

/**
 * Stages the instalment and loan figures as of the date in two temporary tables (of one loan
 * only when `loanId` is given: a repayment reversal re-evaluates its loan with the same rules).
 */
export async function stageDelinquency(tx: Kysely<DB>, asOf: string, loanId: string | null = null): Promise<number> {
  // No JIT for the rest of the transaction. The staging statement is a few thousand generated
  // expression nodes (the penalty and accrual formulas); once the planner's cost estimate passes
  // jit_optimize_above_cost / jit_inline_above_cost (it does as the instalment table collects
  // dead rows from night to night), PostgreSQL spent ~50 s compiling them with LLVM to save well
  // under a second of execution over 60,000 instalments (EXPLAIN ANALYZE: "JIT ... Optimization
  // 29,919 ms, Emission 21,130 ms"). The run grew with the dates already run because of it.
  // `set local` ends with the transaction; outside one it does nothing.
  await sql`set local jit = off`.execute(tx);
  await sql`drop table if exists eod_instalment`.execute(tx);
  await sql`drop table if exists eod_loan`.execute(tx);
  await sql`
    create temp table eod_instalment on commit drop as
    select s.*,
      -- penaltyDue (domain/delinquency.ts): capped, rounded at the currency's minor unit (0 for XOF, 3 for KWD) by the product's mode, written with at least 2 decimals.
      ${penaltyDueExpression} as penalty_due,
      -- the penalty without crisis waivers (what they spared is the difference: crisis.store.ts recordPenaltyWaivers)
      ${penaltyFullSql} as penalty_full,
      max(s.number) filter (where s.due_date < ${asOf}::date and s.owed <= 0) over (partition by s.loan_id) as last_paid_number
    from (
      -- crisis penalty waivers (issue 15): waivedPenaltyDays over the loan's approved windows
      select s0.*, wd.waived_days, s0.dpd - wd.waived_days as penalty_dpd
      from (
      select i.loan_id, i.version, i.number, i.due_date, i.penalty_paid,
        i.principal - coalesce(a.principal, 0) as principal_unpaid,
        -- the penalty's base: principal and interest unpaid (DAILY_ACCRUAL: the interest as the loan stood on the date, domain/accrual.ts)
        i.principal + coalesce(di.interest_as_of, i.interest) - coalesce(a.principal, 0) - coalesce(a.interest, 0) as unpaid,
        -- everything the instalment scheduled still unpaid, its fee included: days past due, the overdue amount, notices
        i.principal + coalesce(di.interest_as_of, i.interest) + i.fee - coalesce(a.principal, 0) - coalesce(a.interest, 0) - coalesce(a.fee, 0) as owed,
        -- instalmentDaysPastDue (domain/delinquency.ts); test/end-of-day-oracle.db.test.ts compares every row with it
        case when i.due_date < ${asOf}::date
            and i.principal + coalesce(di.interest_as_of, i.interest) + i.fee - coalesce(a.principal, 0) - coalesce(a.interest, 0) - coalesce(a.fee, 0) > 0
          then ${asOf}::date - i.due_date else 0 end as dpd,
        -- DAILY_ACCRUAL: interest accrued by the date and unpaid (null for the other methods)
        case when di.loan_id is not null then greatest(di.accrued_by - coalesce(a.interest, 0), 0) end as accrued_unpaid,
        p.penalty_rate, p.grace_days, p.penalty_cap_rate, p.rounding_mode, ${currencyMinorUnits} as minor_units
      from loan l
      join loan_product p on p.id = l.product_id
      join instalment i on i.loan_id = l.id and i.version = l.schedule_version
      left join (
        select loan_id, version, number, sum(principal) as principal, sum(interest) as interest, sum(fee) as fee
        from repayment_allocation where paid_on <= ${asOf}::date group by loan_id, version, number
      ) a on a.loan_id = i.loan_id and a.version = i.version and a.number = i.number
      left join ${dailyInterestQuery(sql`${asOf}::date`, sql<boolean>`${stagedLoan(asOf, loanId)}`)} di
        on di.loan_id = i.loan_id and di.version = i.version and di.number = i.number
      where ${stagedLoan(asOf, loanId)}
      ) s0
      cross join lateral (select ${waivedDaysOfStagedInstalmentSql} as waived_days) wd
    ) s
  `.execute(tx);
  // bucket by the domain's BUCKET_FLOORS, class by the threshold table read through the domain's bands (bucketOf, riskClassOf)
  const classBands = riskClassBands((await findThresholds(tx)).map((t) => ({ riskClass: t.risk_class, minDpd: t.min_dpd })));
  const loanDpd = sql<number>`f.dpd`;
  await sql`
    create temp table eod_loan on commit drop as
    select f.*, ${bandCase(loanDpd, BUCKET_FLOORS, 'CURRENT')} as bucket, ${bandCase(loanDpd, classBands, 'NORMAL')} as risk_class
    from (
      select e.loan_id, l.customer_id, l.officer_id, l.currency, l.risk_class_override,
        (l.delinquency_as_of is null or l.delinquency_as_of <= ${asOf}::date) as forward,
        max(e.dpd) as dpd,
        sum(e.principal_unpaid) as outstanding,
        -- nothing overdue is a zero at the currency's scale ("0.000" KWD), as every amount
        coalesce(sum(e.owed) filter (where e.dpd > 0), round(0, greatest(max(e.minor_units), 2))) as overdue,
        sum(e.penalty_due) as penalty,
        sum(e.accrued_unpaid) as accrued_interest,
        count(*) filter (where e.dpd > 0 and e.number > coalesce(e.last_paid_number, 0)) as missed_run,
        -- what other services were last told (loan.published_*), not the previous date's snapshot:
        -- a return to yesterday's bucket or class is a change to publish too
        coalesce(l.published_bucket, prev.bucket, 'CURRENT') as prev_bucket,
        coalesce(l.published_risk_class, prev.risk_class, 'NORMAL') as prev_class,
        cur.bucket as at_bucket,
        cur.risk_class as at_class
      from eod_instalment e
      join loan l on l.id = e.loan_id
      left join lateral (
        select d.bucket, d.risk_class from loan_delinquency d where d.loan_id = e.loan_id and d.as_of < ${asOf}::date order by d.as_of desc limit 1
      ) prev on true
      left join loan_delinquency cur on cur.loan_id = e.loan_id and cur.as_of = ${asOf}::date
      group by e.loan_id, l.customer_id, l.officer_id, l.currency, l.risk_class_override, l.delinquency_as_of, l.published_bucket, l.published_risk_class,
        prev.bucket, prev.risk_class, cur.bucket, cur.risk_class
    ) f
  `.execute(tx);
  const { rows } = await sql<{ n: string }>`select count(*) as n from eod_loan`.execute(tx);
  return Number(rows[0]?.n ?? 0);
}

export interface BucketChange {
  loan_id: string;
  customer_id: string;
  prev_bucket: DelinquencyBucket;
  bucket: DelinquencyBucket;
  dpd: number;
}

/** Loans moving forward whose bucket differs from the one last published (a re-run after publishing finds none). */
export async function findBucketChanges(tx: Kysely<DB>): Promise<BucketChange[]> {
  const { rows } = await sql<BucketChange>`
    select loan_id, customer_id, prev_bucket, bucket, dpd from eod_loan
    where forward and bucket <> prev_bucket
    order by loan_id
  `.execute(tx);
  return rows;
}

export interface ClassChange {
  id: string;
  loan_id: string;
  customer_id: string;
  previous_class: RiskClass;
  risk_class: RiskClass;
  reason: string;
  /** An officer's override is in force: the effective class did not change, so no event. */
  overridden: boolean;
}

/**
 * Records every DPD-driven change of the computed class (history), and returns them; those of
 * loans under an officer's override are marked, their effective class stays the override.
 */
export async function recordClassChanges(tx: Kysely<DB>, asOf: string, now: Date): Promise<ClassChange[]> {
  const { rows } = await sql<ClassChange>`
    with ins as (
      insert into risk_class_change (id, loan_id, as_of, previous_class, risk_class, reason, override, changed_by, changed_at)
      select ${uuidV7}, loan_id, ${asOf}::date, prev_class, risk_class,
        'DPD ' || dpd || ' as of ' || ${asOf}::text || case when risk_class_override is null then '' else ' (override ' || risk_class_override || ' in force)' end,
        false, null, ${now}::timestamptz
      from eod_loan
      where forward and risk_class <> prev_class
      order by loan_id
      returning id, loan_id, previous_class, risk_class, reason
    )
    select ins.*, f.customer_id, f.risk_class_override is not null as overridden
    from ins join eod_loan f on f.loan_id = ins.loan_id order by ins.loan_id
  `.execute(tx);
  return rows;
}

/**
 * Writes the date's snapshot and moves the current columns of loans and instalments forward,
 * with the bucket and class now published (the changes found above go out in this transaction).
 */
export async function saveDelinquency(tx: Kysely<DB>, asOf: string): Promise<void> {
  await sql`
    insert into loan_delinquency (loan_id, as_of, dpd, bucket, risk_class, outstanding_principal, overdue_amount, penalty, accrued_interest)
    select loan_id, ${asOf}::date, dpd, bucket, risk_class, outstanding, overdue, penalty, accrued_interest from eod_loan
    on conflict (loan_id, as_of) do update set dpd = excluded.dpd, bucket = excluded.bucket, risk_class = excluded.risk_class,
      outstanding_principal = excluded.outstanding_principal, overdue_amount = excluded.overdue_amount, penalty = excluded.penalty,
      accrued_interest = excluded.accrued_interest
  `.execute(tx);
  await sql`
    update loan l set dpd = e.dpd, bucket = e.bucket, computed_risk_class = e.risk_class,
      risk_class = coalesce(l.risk_class_override, e.risk_class), delinquency_as_of = ${asOf}::date,
      published_bucket = e.bucket, published_risk_class = e.risk_class
    from eod_loan e where e.loan_id = l.id and e.forward
  `.execute(tx);
  await sql`
    update instalment i set dpd = e.dpd, penalty = greatest(e.penalty_due, e.penalty_paid)
    from eod_instalment e join eod_loan f on f.loan_id = e.loan_id and f.forward
    where i.loan_id = e.loan_id and i.version = e.version and i.number = e.number
      and (i.dpd <> e.dpd or i.penalty <> greatest(e.penalty_due, e.penalty_paid))
  `.execute(tx);
  // DAILY_ACCRUAL loans moving forward: each instalment's interest restated to what accrues in its window (domain/accrual.ts)
  await restateDailyInterest(tx, 'end-of-day');
}

export interface InstalmentNotice {
  loan_id: string;
  customer_id: string;
  currency: string;
  number: number;
  due_date: string;
  dpd: number;
  unpaid: string;
}

/**
 * Instalments newly past due (one notice each, ever) and instalments due within their loan
 * product's reminder days (`loan_product.due_reminder_days`, `isDueForReminder` in
 * domain/reminders.ts; one reminder each).
 */
export async function recordNotices(tx: Kysely<DB>, asOf: string): Promise<{ overdue: InstalmentNotice[]; due: InstalmentNotice[] }> {
  const notices = async (kind: 'DUE' | 'OVERDUE', where: ReturnType<typeof sql>) => {
    const { rows } = await sql<InstalmentNotice>`
      with fresh as (
        insert into instalment_notice (loan_id, version, number, kind, as_of)
        select e.loan_id, e.version, e.number, ${kind}, ${asOf}::date
        from eod_instalment e join eod_loan f on f.loan_id = e.loan_id and f.forward
        where ${where}
        on conflict do nothing
        returning loan_id, version, number
      )
      select e.loan_id, f.customer_id, f.currency, e.number, to_char(e.due_date, 'YYYY-MM-DD') as due_date, e.dpd, e.owed::text as unpaid
      from fresh n
      join eod_instalment e on e.loan_id = n.loan_id and e.version = n.version and e.number = n.number
      join eod_loan f on f.loan_id = e.loan_id
      order by e.loan_id, e.number
    `.execute(tx);
    return rows;
  };
  return {
    overdue: await notices('OVERDUE', sql`e.dpd > 0`),
    due: await notices(
      'DUE',
      sql`e.owed > 0 and e.due_date >= ${asOf}::date and e.due_date <= ${asOf}::date + (
        select p.due_reminder_days from loan l join loan_product p on p.id = l.product_id where l.id = e.loan_id)`,
    ),
  };
}

export interface RaisedWarning {
  id: string;
  loan_id: string;
  customer_id: string;
  rule_code: string;
  severity: WarningSeverity;
  indicators: Record<string, string | number | boolean | null>;
  officer_id: string | null;
  response_due_at: Date;
}

/**
 * Evaluates the early-warning rules the run can see (DPD over a threshold, consecutive missed
 * instalments, loan-to-value over a limit, industry on the watch list) for every loan at once,
 * raising a warning only where none is open for that loan and rule.
 */
export async function raiseRunWarnings(tx: Kysely<DB>, asOf: string, now: Date): Promise<RaisedWarning[]> {
  const kinds: WarningRuleKind[] = ['DPD_OVER', 'CONSECUTIVE_MISSED', 'LTV_OVER', 'WATCHLIST_INDUSTRY'];
  const { rows } = await sql<RaisedWarning>`
    with collateral_value as (
      select c.loan_id, sum(v.value) as value
      from collateral c
      join lateral (
        select cv.value from collateral_valuation cv where cv.collateral_id = c.id and cv.valued_on <= ${asOf}::date
        order by cv.valued_on desc, cv.recorded_at desc limit 1
      ) v on true
      where c.loan_id in (select loan_id from eod_loan)
      group by c.loan_id
    ),
    hits as (
      select f.loan_id, f.customer_id, f.officer_id, r.code, r.severity,
        case r.kind
          when 'DPD_OVER' then jsonb_build_object('daysPastDue', f.dpd, 'threshold', r.threshold::text, 'asOf', ${asOf}::text)
          when 'CONSECUTIVE_MISSED' then jsonb_build_object('consecutiveMissed', f.missed_run, 'threshold', r.threshold::text, 'asOf', ${asOf}::text)
          when 'LTV_OVER' then jsonb_build_object('loanToValue', round(f.outstanding / cv.value, 4)::text, 'outstandingPrincipal', f.outstanding::text,
            'collateralValue', cv.value::text, 'threshold', r.threshold::text, 'asOf', ${asOf}::text)
          else jsonb_build_object('industry', c.industry, 'asOf', ${asOf}::text)
        end as indicators
      from eod_loan f
      join warning_rule r on r.active and r.kind in (${sql.join(kinds)})
      left join collateral_value cv on cv.loan_id = f.loan_id
      left join customer_replica c on c.id = f.customer_id
      where f.forward and (
        (r.kind = 'DPD_OVER' and f.dpd > r.threshold)
        or (r.kind = 'CONSECUTIVE_MISSED' and f.missed_run >= r.threshold)
        or (r.kind = 'LTV_OVER' and cv.value > 0 and f.outstanding / cv.value > r.threshold)
        or (r.kind = 'WATCHLIST_INDUSTRY' and c.industry in (select industry from industry_watch))
      )
    ),
    raised as (
      insert into risk_warning (id, loan_id, customer_id, rule_code, severity, indicators, status, officer_id, raised_at, response_due_at)
      select ${uuidV7}, h.loan_id, h.customer_id, h.code, h.severity, h.indicators, 'OPEN', h.officer_id, ${now}::timestamptz,
        ${now}::timestamptz + make_interval(hours => d.response_hours)
      from hits h join warning_response_deadline d on d.severity = h.severity
      order by h.loan_id, h.code
      on conflict (loan_id, rule_code) where status <> 'RESOLVED' do nothing
      returning id, loan_id, customer_id, rule_code, severity, indicators, officer_id, raised_at, response_due_at
    ),
    logged as (
      insert into risk_warning_transition (warning_id, from_status, to_status, changed_by, note, changed_at)
      select id, null, 'OPEN', null, null, raised_at from raised
    )
    select id, loan_id, customer_id, rule_code, severity, indicators, officer_id, response_due_at from raised order by loan_id, rule_code
  `.execute(tx);
  return rows;
}
