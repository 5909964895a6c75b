import { daysBetween } from './dates.ts';
import type { DayCountConvention } from './day-count.ts';
import { Money, type MoneyValue, type RoundingMode, roundMoney } from './money.ts';

/**
 * Interest method DAILY_ACCRUAL (README "Conventions"): interest accrues day by day on the
 * principal actually outstanding, between actual payment dates.
 *
 * - A day's weight (the fraction of a year it accrues) is fixed by the calendar: 1/365
 *   (ACTUAL_365), 1/360 (ACTUAL_360), 1/366 in a leap year and 1/365 in a common one
 *   (ACTUAL_ACTUAL_ISDA). The 30/360 conventions give no day a weight of its own (a 30/360 month is
 *   30 days whatever its length), so a DAILY_ACCRUAL product counts actual days.
 * - The principal outstanding on day t is the financed amount less the principal of the standing
 *   repayments valued on or before t: a repayment stops the interest on what it repays from its
 *   value date on.
 * - Each instalment owns an accrual window [start, end): start is the end of the previous window
 *   (the disbursement for the first); end is its due date, or the day it was settled when that is
 *   earlier (paid in full ahead of its due date: the next window starts then); the last window runs
 *   on after the loan's maturity until it is settled. Late principal therefore accrues interest in
 *   the next window (or the last one), and paying early shortens the window and lowers it.
 * - An instalment's interest is the window's accrual, summed exactly and rounded once to the minor
 *   unit by the product's rounding mode; paid on its due dates, the loan costs exactly its schedule.
 *   What a repayment valued on d pays first is the interest accrued by d (each window cut at d).
 *
 * To keep sums exact, day weights are integers over a common denominator (`ACCRUAL_DENOMINATOR`):
 * interest = round(rate * sum(balance * weight) / denominator). The end-of-day SQL builds the same
 * expressions from the same tables (`accrualDaysSql`, `accrualDenominatorSql`); the oracle test
 * `test/daily-accrual-oracle.db.test.ts` compares the two on random loans.
 */
export type AccrualDayCount = 'ACTUAL_365' | 'ACTUAL_360' | 'ACTUAL_ACTUAL_ISDA';

/** Integer day weights (a day of a common year, of a leap year) over `ACCRUAL_DENOMINATOR`. */
export const ACCRUAL_DAY_WEIGHT: Record<AccrualDayCount, { common: number; leap: number }> = {
  ACTUAL_365: { common: 1, leap: 1 },
  ACTUAL_360: { common: 1, leap: 1 },
  // 366 / (365 * 366) = 1/365 and 365 / (365 * 366) = 1/366
  ACTUAL_ACTUAL_ISDA: { common: 366, leap: 365 },
};
export const ACCRUAL_DENOMINATOR: Record<AccrualDayCount, number> = { ACTUAL_365: 365, ACTUAL_360: 360, ACTUAL_ACTUAL_ISDA: 365 * 366 };

export function isAccrualDayCount(dayCount: DayCountConvention): dayCount is AccrualDayCount {
  return dayCount in ACCRUAL_DAY_WEIGHT;
}

const yearOf = (date: string) => Number(date.slice(0, 4));
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** The sum of the day weights of the days from `from` (included) to `to` (excluded); 0 when `to` is not after `from`. */
export function accrualDays(dayCount: AccrualDayCount, from: string, to: string): number {
  if (to <= from) return 0;
  const w = ACCRUAL_DAY_WEIGHT[dayCount];
  if (w.common === w.leap) return w.common * daysBetween(from, to);
  let total = 0;
  let at = from;
  while (at < to) {
    const y = yearOf(at);
    const next = `${String(y + 1).padStart(4, '0')}-01-01`;
    const end = next < to ? next : to;
    total += daysBetween(at, end) * (isLeap(y) ? w.leap : w.common);
    at = end;
  }
  return total;
}

/** Principal repaid on a value date (a standing repayment's principal, prepayment included). */
export interface PrincipalRepaid {
  on: string;
  principal: MoneyValue;
}

/**
 * The balance-days of [from, to): sum over its days of the principal outstanding that day times
 * the day's weight (a numerator over `ACCRUAL_DENOMINATOR`): financed * days(from, to) less, for
 * each repayment valued before `to`, its principal * days(max(its date, from), to).
 */
export function balanceDays(dayCount: AccrualDayCount, financed: MoneyValue, repaid: readonly PrincipalRepaid[], from: string, to: string): MoneyValue {
  let sum = new Money(financed).mul(accrualDays(dayCount, from, to));
  for (const r of repaid) if (r.on < to) sum = sum.minus(r.principal.mul(accrualDays(dayCount, r.on > from ? r.on : from, to)));
  return sum;
}

export interface AccrualTerms {
  disbursedOn: string;
  /** The principal the schedule amortises (principal + a financed disbursement fee). */
  financed: MoneyValue;
  annualRate: MoneyValue;
  dayCount: AccrualDayCount;
  /** Decimals of the currency's minor unit. */
  scale: number;
  rounding: RoundingMode;
}

/** round(rate * balanceDays / denominator) at the minor unit, by the product's rounding mode. */
export function interestOf(t: Pick<AccrualTerms, 'annualRate' | 'dayCount' | 'scale' | 'rounding'>, days: MoneyValue): MoneyValue {
  return roundMoney(t.annualRate.mul(days).div(ACCRUAL_DENOMINATOR[t.dayCount]), t.scale, t.rounding);
}

/** An instalment as the accrual rule reads it. */
export interface AccrualInstalment {
  number: number;
  dueDate: string;
  principal: MoneyValue;
  principalPaid: MoneyValue;
  interestPaid: MoneyValue;
  /** The date it was settled (paid in full), null while open. */
  paidOn: string | null;
}

export interface AccrualWindow {
  number: number;
  start: string;
  end: string;
  /** Settled on or before the as-of date. */
  settled: string | null;
  /** The window has started by the as-of date. */
  begun: boolean;
  /** Principal of this instalment and the later ones still unpaid: the expected balance of a window not yet begun. */
  expectedBalance: MoneyValue;
}

/**
 * The instalments' accrual windows as the loan stands on `asOf` (settlements after it do not
 * count): start = the previous window's end (the disbursement for the first); end = the due date,
 * or the settlement date when earlier; the last window ends at its settlement, else at the later
 * of its due date and `asOf`.
 */
export function accrualWindows(instalments: readonly AccrualInstalment[], disbursedOn: string, asOf: string): AccrualWindow[] {
  const sorted = [...instalments].sort((a, b) => a.number - b.number);
  const out: AccrualWindow[] = [];
  let start = disbursedOn;
  let expected = sorted.reduce((s, i) => s.plus(i.principal).minus(i.principalPaid), new Money(0));
  for (const [k, i] of sorted.entries()) {
    const settled = i.paidOn !== null && i.paidOn <= asOf ? i.paidOn : null;
    const last = k === sorted.length - 1;
    let end = last ? (settled ?? (i.dueDate > asOf ? i.dueDate : asOf)) : settled !== null && settled < i.dueDate ? settled : i.dueDate;
    if (end < start) end = start;
    out.push({ number: i.number, start, end, settled, begun: start <= asOf, expectedBalance: expected });
    expected = expected.minus(i.principal).plus(i.principalPaid);
    start = end;
  }
  return out;
}

const upTo = (repaid: readonly PrincipalRepaid[], asOf: string) => repaid.filter((r) => r.on <= asOf);

/**
 * Each instalment's interest as the loan stands on `asOf` (what its `interest` column holds):
 * settled, what it was charged (its interest paid); window begun, the accrual over the whole window
 * (on the principal outstanding, the current balance carried to the window's end); not begun, the
 * expected figure (its expected balance over the window, as the schedule has it).
 */
export function interestAsOf(
  instalments: readonly AccrualInstalment[],
  repaid: readonly PrincipalRepaid[],
  t: AccrualTerms,
  asOf: string,
): Map<number, MoneyValue> {
  const known = upTo(repaid, asOf);
  const paid = new Map(instalments.map((i) => [i.number, i.interestPaid]));
  const out = new Map<number, MoneyValue>();
  for (const w of accrualWindows(instalments, t.disbursedOn, asOf)) {
    if (w.settled !== null) out.set(w.number, new Money(paid.get(w.number) ?? 0));
    else if (!w.begun) out.set(w.number, interestOf(t, w.expectedBalance.mul(accrualDays(t.dayCount, w.start, w.end))));
    else out.set(w.number, Money.max(paid.get(w.number) ?? 0, interestOf(t, balanceDays(t.dayCount, t.financed, known, w.start, w.end))));
  }
  return out;
}

/**
 * The interest accrued by `on` on each instalment: what a repayment valued `on` pays first (and
 * what the payoff quote of `on` charges): settled, its interest paid; each window begun cut at
 * `on` (due instalments in full, the current one to `on`, the last one after maturity to `on`);
 * windows not begun, nothing.
 */
export function interestAccruedBy(
  instalments: readonly AccrualInstalment[],
  repaid: readonly PrincipalRepaid[],
  t: AccrualTerms,
  on: string,
): Map<number, MoneyValue> {
  const known = upTo(repaid, on);
  const paid = new Map(instalments.map((i) => [i.number, i.interestPaid]));
  const out = new Map<number, MoneyValue>();
  for (const w of accrualWindows(instalments, t.disbursedOn, on)) {
    if (w.settled !== null) out.set(w.number, new Money(paid.get(w.number) ?? 0));
    else if (!w.begun) out.set(w.number, new Money(0));
    else out.set(w.number, Money.max(paid.get(w.number) ?? 0, interestOf(t, balanceDays(t.dayCount, t.financed, known, w.start, w.end < on ? w.end : on))));
  }
  return out;
}

/**
 * `accrualDays` as SQL over date expressions (trusted fragments built by the stores, never input),
 * from the same weight table: (to - from) * weight for a uniform weight, else the days of each
 * calendar year the span touches times that year's weight.
 */
export function accrualDaysSql(dayCount: string, from: string, to: string): string {
  const leap = (y: string) => `((${y}) % 4 = 0 and (${y}) % 100 <> 0 or (${y}) % 400 = 0)`;
  const whens = (Object.entries(ACCRUAL_DAY_WEIGHT) as [AccrualDayCount, { common: number; leap: number }][]).map(([name, w]) => {
    const days =
      w.common === w.leap
        ? `(${to} - ${from}) * ${w.common}`
        : `(select sum((least(${to}, make_date(y + 1, 1, 1)) - greatest(${from}, make_date(y, 1, 1))) * case when ${leap('y')} then ${w.leap} else ${w.common} end)
            from generate_series(extract(year from ${from})::int, extract(year from (${to}) - 1)::int) as y)`;
    return `when '${name}' then ${days}`;
  });
  return `(case when ${to} <= ${from} then 0 else case ${dayCount} ${whens.join(' ')} end end)`;
}

/** `ACCRUAL_DENOMINATOR` as a SQL CASE over the day count column. */
export function accrualDenominatorSql(dayCount: string): string {
  return `(case ${dayCount} ${Object.entries(ACCRUAL_DENOMINATOR)
    .map(([name, d]) => `when '${name}' then ${d}`)
    .join(' ')} end)`;
}
