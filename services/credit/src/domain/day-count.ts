import { daysBetween } from './dates.ts';
import { Money, type MoneyValue } from './money.ts';

export type RepaymentFrequency = 'WEEKLY' | 'BIWEEKLY' | 'MONTHLY';

/**
 * Day-count conventions (a product setting): the fraction of a year a period of interest covers.
 * - THIRTY_360 ("monthly twelfths", today's default for monthly products): every regular monthly
 *   period is exactly 1/12 of a year, whatever the calendar month's length; a broken period (a
 *   chosen first due date) counts its days by 30/360 US below over 360. Monthly products only.
 * - THIRTY_360_US: a true 30/360 day count, US (SIA / bond basis) with its end-of-month rules,
 *   for every period: days = 360 (Y2 - Y1) + 30 (M2 - M1) + (D2 - D1) where, in this order,
 *   (1) D1 and D2 both the last day of February: D2 = 30; (2) D1 the last day of February: D1 = 30;
 *   (3) D2 = 31 and D1 >= 30: D2 = 30; (4) D1 = 31: D1 = 30. Fraction = days / 360.
 * - ACTUAL_360: actual days / 360.
 * - ACTUAL_365 (Actual/365 Fixed, today's default for weekly and biweekly products): actual days / 365.
 * - ACTUAL_ACTUAL_ISDA: the days falling in a leap year / 366 + the days in a common year / 365.
 */
export type DayCountConvention = 'THIRTY_360' | 'THIRTY_360_US' | 'ACTUAL_360' | 'ACTUAL_365' | 'ACTUAL_ACTUAL_ISDA';

export const DAY_COUNTS: readonly DayCountConvention[] = ['THIRTY_360', 'THIRTY_360_US', 'ACTUAL_360', 'ACTUAL_365', 'ACTUAL_ACTUAL_ISDA'];

export function defaultDayCount(frequency: RepaymentFrequency): DayCountConvention {
  return frequency === 'MONTHLY' ? 'THIRTY_360' : 'ACTUAL_365';
}

const parts = (date: string): [number, number, number] => {
  const [y = 0, m = 0, d = 0] = date.split('-').map(Number);
  return [y, m, d];
};
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const lastOfFebruary = (y: number, m: number, d: number) => m === 2 && d === (isLeap(y) ? 29 : 28);

/** Days from `from` to `to` under 30/360 US (SIA, bond basis) with its end-of-month rules (above). */
export function days30360US(from: string, to: string): number {
  const [y1, m1, a] = parts(from);
  const [y2, m2, b] = parts(to);
  let d1 = a;
  let d2 = b;
  if (lastOfFebruary(y1, m1, d1) && lastOfFebruary(y2, m2, d2)) d2 = 30;
  if (lastOfFebruary(y1, m1, d1)) d1 = 30;
  if (d2 === 31 && d1 >= 30) d2 = 30;
  if (d1 === 31) d1 = 30;
  return 360 * (y2 - y1) + 30 * (m2 - m1) + (d2 - d1);
}

/** ACTUAL_ACTUAL_ISDA: each day from `from` (included) to `to` (excluded) weighs 1/366 in a leap year, 1/365 otherwise. */
function actualActualIsda(from: string, to: string): MoneyValue {
  const [y1] = parts(from);
  const [y2] = parts(to);
  if (y1 === y2) return new Money(daysBetween(from, to)).div(isLeap(y1) ? 366 : 365);
  let f = new Money(daysBetween(from, `${y1 + 1}-01-01`)).div(isLeap(y1) ? 366 : 365);
  f = f.plus(y2 - y1 - 1);
  return f.plus(new Money(daysBetween(`${y2}-01-01`, to)).div(isLeap(y2) ? 366 : 365));
}

/**
 * The year fraction from `from` to `to` under the convention. `regularMonths` says the period is
 * that many whole regular months of a monthly schedule (THIRTY_360 counts them as twelfths); null
 * for a broken period.
 */
export function yearFractionOf(dayCount: DayCountConvention, from: string, to: string, regularMonths: number | null = null): MoneyValue {
  if (to <= from) return new Money(0);
  switch (dayCount) {
    case 'THIRTY_360':
      return regularMonths !== null ? new Money(regularMonths).div(12) : new Money(days30360US(from, to)).div(360);
    case 'THIRTY_360_US':
      return new Money(days30360US(from, to)).div(360);
    case 'ACTUAL_360':
      return new Money(daysBetween(from, to)).div(360);
    case 'ACTUAL_365':
      return new Money(daysBetween(from, to)).div(365);
    case 'ACTUAL_ACTUAL_ISDA':
      return actualActualIsda(from, to);
  }
}

/** Days in a year for sizing a weekly or biweekly period's nominal rate: 360 for the 30/360 and Actual/360 conventions, 365 otherwise. */
export function yearBasis(dayCount: DayCountConvention): number {
  return dayCount === 'ACTUAL_360' || dayCount === 'THIRTY_360' || dayCount === 'THIRTY_360_US' ? 360 : 365;
}
