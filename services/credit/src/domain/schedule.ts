import { addDays, addMonths, daysBetween } from './dates.ts';
import { Money, type MoneyValue, roundMoney } from './money.ts';

export type RepaymentFrequency = 'WEEKLY' | 'BIWEEKLY' | 'MONTHLY';
export type AmortisationMethod = 'EQUAL_INSTALMENT' | 'EQUAL_PRINCIPAL' | 'INTEREST_ONLY';
/**
 * Day-count conventions (a product setting):
 * - THIRTY_360: every regular period is a whole number of 30-day months over a 360-day year,
 *   so a monthly period accrues exactly annualRate / 12 whatever the calendar month's length.
 *   Only for monthly products.
 * - ACTUAL_365: a period accrues annualRate * (actual days in the period) / 365, leap years
 *   included (Actual/365 Fixed). Weekly periods are 7 days, biweekly 14, monthly 28 to 31.
 * Defaults: THIRTY_360 for monthly products, ACTUAL_365 for weekly and biweekly ones.
 */
export type DayCountConvention = 'THIRTY_360' | 'ACTUAL_365';

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

export function defaultDayCount(frequency: RepaymentFrequency): DayCountConvention {
  return frequency === 'MONTHLY' ? 'THIRTY_360' : 'ACTUAL_365';
}

/** The due date of instalment `k` (1-based) for a schedule starting on `start`. */
export function dueDate(start: string, frequency: RepaymentFrequency, k: number): string {
  if (frequency === 'MONTHLY') return addMonths(start, k);
  return addDays(start, k * (frequency === 'WEEKLY' ? 7 : 14));
}

/** The fraction of a year one period accrues under the convention. */
export function yearFraction(dayCount: DayCountConvention, frequency: RepaymentFrequency, from: string, to: string): MoneyValue {
  if (dayCount === 'THIRTY_360') {
    if (frequency !== 'MONTHLY') throw new Error('THIRTY_360 applies to monthly schedules only');
    return new Money(1).div(12);
  }
  return new Money(daysBetween(from, to)).div(365);
}

/**
 * The nominal periodic rate used to size a level (annuity) payment: annualRate / 12 for monthly
 * schedules, annualRate * 7 / 365 (weekly) or * 14 / 365 (biweekly) under Actual/365.
 */
export function nominalPeriodRate(t: Pick<ScheduleTerms, 'annualRate' | 'frequency' | 'dayCount'>): MoneyValue {
  if (t.frequency === 'MONTHLY') return t.annualRate.div(12);
  return t.annualRate.mul(t.frequency === 'WEEKLY' ? 7 : 14).div(365);
}

/**
 * The level payment of an annuity: A = P * r / (1 - (1 + r)^-n), rounded half up to the minor
 * unit; P / n when the rate is zero.
 */
export function annuityPayment(principal: MoneyValue, r: MoneyValue, n: number, scale: number): MoneyValue {
  if (r.isZero()) return roundMoney(principal.div(n), scale);
  const factor = new Money(1).minus(r.plus(1).pow(-n));
  return roundMoney(principal.mul(r).div(factor), scale);
}

/**
 * The repayment schedule. Each period's interest is outstanding principal * annualRate * the
 * period's year fraction, rounded half up to the minor unit. Principal per method:
 * - EQUAL_INSTALMENT: the level payment minus that period's interest;
 * - EQUAL_PRINCIPAL: P / n rounded half up;
 * - INTEREST_ONLY: nothing until the last instalment (bullet).
 * The last instalment takes whatever principal is left, so the principals sum exactly to P and
 * every rounding remainder lands in the last instalment.
 */
export function generateSchedule(t: ScheduleTerms): PlannedInstalment[] {
  if (!Number.isInteger(t.count) || t.count < 1) throw new Error('A schedule needs at least one instalment');
  const level = t.method === 'EQUAL_INSTALMENT' ? annuityPayment(t.principal, nominalPeriodRate(t), t.count, t.scale) : null;
  const equalPrincipal = roundMoney(t.principal.div(t.count), t.scale);
  const out: PlannedInstalment[] = [];
  let balance = new Money(t.principal);
  const offset = (t.firstPeriod ?? 1) - 1;
  let from = offset === 0 ? t.startDate : dueDate(t.startDate, t.frequency, offset);
  for (let k = 1; k <= t.count; k++) {
    const to = dueDate(t.startDate, t.frequency, offset + k);
    const interest = roundMoney(balance.mul(t.annualRate).mul(yearFraction(t.dayCount, t.frequency, from, to)), t.scale);
    let principal: MoneyValue;
    if (k === t.count) principal = balance;
    else if (level) principal = Money.max(0, Money.min(balance, level.minus(interest)));
    else if (t.method === 'EQUAL_PRINCIPAL') principal = Money.min(balance, equalPrincipal);
    else principal = new Money(0);
    balance = balance.minus(principal);
    out.push({ number: k, dueDate: to, principal, interest, total: principal.plus(interest), closingBalance: balance });
    from = to;
  }
  return out;
}
