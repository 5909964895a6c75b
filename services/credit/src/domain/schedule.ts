import { addDays, addMonths } from './dates.ts';
import { type DayCountConvention, type RepaymentFrequency, yearBasis, yearFractionOf } from './day-count.ts';
import { Money, type MoneyValue, type RoundingMode, roundMoney, roundUpToMultiple } from './money.ts';

export type { DayCountConvention, RepaymentFrequency } from './day-count.ts';
export { defaultDayCount } from './day-count.ts';
export type AmortisationMethod = 'EQUAL_INSTALMENT' | 'EQUAL_PRINCIPAL' | 'INTEREST_ONLY';
/**
 * Interest method (a product setting):
 * - DECLINING_BALANCE (default): each period's interest is on the principal still outstanding;
 * - FLAT: each period's interest is on the original principal for the whole term (common in
 *   microfinance); its true cost shows in the loan's effective annual rate;
 * - DAILY_ACCRUAL: declining balance accrued day by day on the principal actually outstanding
 *   between actual payment dates (`domain/accrual.ts`): the schedule is the declining-balance one
 *   (the expected figures, each instalment paid on its due date); paying early lowers the interest,
 *   paying late adds interest on the late principal. Actual day counts only.
 */
export type InterestMethod = 'DECLINING_BALANCE' | 'FLAT' | 'DAILY_ACCRUAL';

export interface ScheduleTerms {
  principal: MoneyValue;
  /** Nominal annual rate as a fraction: 0.24 is 24 % a year. */
  annualRate: MoneyValue;
  /** Number of instalments. */
  count: number;
  frequency: RepaymentFrequency;
  method: AmortisationMethod;
  dayCount: DayCountConvention;
  /** Interest runs from this date; the first instalment falls one period later. */
  startDate: string;
  /** Decimals of the currency's minor unit. */
  scale: number;
  /**
   * Period index of the first instalment counted from `startDate` (default 1). A restructuring
   * re-amortises with startDate = disbursement and firstPeriod = the period the first
   * re-amortised instalment is due in now (`gridPeriod`), so due dates keep their original anchor
   * day (31st stays month end) and an earlier payment holiday holds.
   */
  firstPeriod?: number;
  /** Default DECLINING_BALANCE. */
  interestMethod?: InterestMethod;
  /** Rounding to the minor unit, default HALF_UP. */
  rounding?: RoundingMode;
  /** Instalments (all but the last) rounded up to a multiple of this amount; null: not rounded. */
  instalmentMultiple?: MoneyValue | null;
  /**
   * A chosen first due date: instalment k then falls k - 1 periods after it (month-end anchors
   * kept), and the first period from `startDate` to it is broken (interest by the day count).
   */
  firstDueDate?: string | null;
  /** Principal grace: the first N instalments pay interest only, the rest amortise (default 0). */
  principalGrace?: number;
  /**
   * Interest grace: nothing falls due in the first N periods; their interest is deferred (simple
   * interest, not capitalised) to the first instalment, which falls N + 1 periods after the start.
   */
  interestGrace?: number;
}

export interface PlannedInstalment {
  number: number;
  dueDate: string;
  principal: MoneyValue;
  interest: MoneyValue;
  /** principal + interest. */
  total: MoneyValue;
  /** Principal still owed after this instalment. */
  closingBalance: MoneyValue;
}

export const periodsPerYear: Record<RepaymentFrequency, number> = { WEEKLY: 52, BIWEEKLY: 26, MONTHLY: 12 };

/** The due date of instalment `k` (1-based) for a schedule starting on `start`. */
export function dueDate(start: string, frequency: RepaymentFrequency, k: number): string {
  if (frequency === 'MONTHLY') return addMonths(start, k);
  return addDays(start, k * (frequency === 'WEEKLY' ? 7 : 14));
}

/**
 * The loan's grid: the date period `p` ends on. Period 0 is the start (the disbursement); period p
 * is p periods after it, or with a chosen first due date p - 1 periods after that date.
 */
export function gridDate(start: string, frequency: RepaymentFrequency, p: number, firstDueDate?: string | null): string {
  if (p <= 0) return start;
  return firstDueDate ? dueDate(firstDueDate, frequency, p - 1) : dueDate(start, frequency, p);
}

/**
 * The year fraction of grid period `p` (from grid date p - 1 to grid date p) under the day count:
 * a regular monthly period is one month (a twelfth under THIRTY_360); the first period before a
 * chosen first due date is broken unless that date is exactly one period after the start.
 */
export function periodFraction(t: Pick<ScheduleTerms, 'dayCount' | 'frequency' | 'startDate' | 'firstDueDate'>, p: number): MoneyValue {
  const from = gridDate(t.startDate, t.frequency, p - 1, t.firstDueDate);
  const to = gridDate(t.startDate, t.frequency, p, t.firstDueDate);
  const broken = p === 1 && !!t.firstDueDate && t.firstDueDate !== dueDate(t.startDate, t.frequency, 1);
  return yearFractionOf(t.dayCount, from, to, t.frequency === 'MONTHLY' && !broken ? 1 : null);
}

/** The fraction of a year one regular period accrues under the convention (from and to one period apart). */
export function yearFraction(dayCount: DayCountConvention, frequency: RepaymentFrequency, from: string, to: string): MoneyValue {
  if (dayCount === 'THIRTY_360' && frequency !== 'MONTHLY') throw new Error('THIRTY_360 applies to monthly schedules only');
  return yearFractionOf(dayCount, from, to, frequency === 'MONTHLY' ? 1 : null);
}

/**
 * The nominal periodic rate used to size a level (annuity) payment: annualRate / 12 for monthly
 * schedules, annualRate * 7 (weekly) or * 14 (biweekly) / the convention's year (360 for 30/360
 * and Actual/360, 365 otherwise).
 */
export function nominalPeriodRate(t: Pick<ScheduleTerms, 'annualRate' | 'frequency' | 'dayCount'>): MoneyValue {
  if (t.frequency === 'MONTHLY') return t.annualRate.div(12);
  return t.annualRate.mul(t.frequency === 'WEEKLY' ? 7 : 14).div(yearBasis(t.dayCount));
}

/**
 * The level payment of an annuity: A = P * r / (1 - (1 + r)^-n), rounded half up to the minor
 * unit; P / n when the rate is zero.
 */
export function annuityPayment(principal: MoneyValue, r: MoneyValue, n: number, scale: number, rounding: RoundingMode = 'HALF_UP'): MoneyValue {
  if (r.isZero()) return roundMoney(principal.div(n), scale, rounding);
  const factor = new Money(1).minus(r.plus(1).pow(-n));
  return roundMoney(principal.mul(r).div(factor), scale, rounding);
}

/**
 * The repayment schedule. Each period's interest is the interest base * annualRate * the period's
 * year fraction (`periodFraction`), rounded to the minor unit by the product's rounding mode; the
 * base is the outstanding principal (DECLINING_BALANCE) or the original principal (FLAT).
 * Principal per method, over the instalments after the principal grace (n' = count - grace):
 * - EQUAL_INSTALMENT: declining balance, the level payment over n' minus the period's own
 *   interest; flat, P / n';
 * - EQUAL_PRINCIPAL: P / n' rounded;
 * - INTEREST_ONLY: nothing until the last instalment (bullet).
 * With an instalment multiple m, the level payment (declining EQUAL_INSTALMENT), the principal
 * (declining EQUAL_PRINCIPAL) or the instalment (FLAT) is rounded up to a multiple of m.
 * Interest deferred by an interest grace is added to the first instalment (beyond the level).
 * The last instalment takes whatever principal is left, so the principals sum exactly to P and
 * every rounding remainder lands in the last instalment.
 */
export function generateSchedule(t: ScheduleTerms): PlannedInstalment[] {
  if (!Number.isInteger(t.count) || t.count < 1) throw new Error('A schedule needs at least one instalment');
  const rounding = t.rounding ?? 'HALF_UP';
  const round = (v: MoneyValue) => roundMoney(v, t.scale, rounding);
  const flat = t.interestMethod === 'FLAT';
  const principalGrace = Math.min(Math.max(0, t.principalGrace ?? 0), t.count - 1);
  const interestGrace = Math.max(0, t.interestGrace ?? 0);
  const amortising = t.count - principalGrace;
  const multiple = t.instalmentMultiple?.gt(0) ? t.instalmentMultiple : null;
  let level = t.method === 'EQUAL_INSTALMENT' && !flat ? annuityPayment(t.principal, nominalPeriodRate(t), amortising, t.scale, rounding) : null;
  if (level && multiple) level = roundUpToMultiple(level, multiple);
  let equalPrincipal = round(t.principal.div(amortising));
  if (multiple && !flat && t.method === 'EQUAL_PRINCIPAL') equalPrincipal = roundUpToMultiple(equalPrincipal, multiple);
  const out: PlannedInstalment[] = [];
  let balance = new Money(t.principal);
  const offset = (t.firstPeriod ?? 1) - 1;
  for (let k = 1; k <= t.count; k++) {
    const p = offset + interestGrace + k;
    const base = flat ? t.principal : balance;
    const own = round(base.mul(t.annualRate).mul(periodFraction(t, p)));
    let interest = own;
    if (k === 1 && interestGrace > 0) {
      // The grace periods' interest, deferred to the first instalment (one rounding over them all).
      let fraction = new Money(0);
      for (let q = offset + 1; q <= p; q++) fraction = fraction.plus(periodFraction(t, q));
      interest = round(base.mul(t.annualRate).mul(fraction));
    }
    let principal: MoneyValue;
    if (k === t.count) principal = balance;
    else if (k <= principalGrace || t.method === 'INTEREST_ONLY') principal = new Money(0);
    else if (flat) {
      principal = equalPrincipal;
      if (multiple) principal = roundUpToMultiple(equalPrincipal.plus(own), multiple).minus(own);
      principal = Money.max(0, Money.min(balance, principal));
    } else if (level) principal = Money.max(0, Money.min(balance, level.minus(own)));
    else principal = Money.min(balance, equalPrincipal);
    balance = balance.minus(principal);
    const to = gridDate(t.startDate, t.frequency, p, t.firstDueDate);
    out.push({ number: k, dueDate: to, principal, interest, total: principal.plus(interest), closingBalance: balance });
  }
  return out;
}
