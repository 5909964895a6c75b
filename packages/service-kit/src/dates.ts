/**
 * Calendar arithmetic of the platform, in UTC and with no clock: business dates are
 * `YYYY-MM-DD` strings, instants are `Date`s. The one place dates are converted.
 */

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

/** UTC calendar date of an instant, YYYY-MM-DD. */
export const isoDate = (d: Date): string => d.toISOString().slice(0, 10);

/** Midnight UTC at the start of a calendar date. */
export function startOfDate(date: string): Date {
  return new Date(`${date}T00:00:00.000Z`);
}

/** The instant a calendar date ends (midnight UTC of the next day, exclusive): the cut-off of an as-of run. */
export function endOfDate(date: string): Date {
  return new Date(startOfDate(date).getTime() + DAY_MS);
}

/** YYYY-MM-DD plus (or minus) whole days. */
export function addDays(date: string, days: number): string {
  return isoDate(new Date(startOfDate(date).getTime() + days * DAY_MS));
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((startOfDate(to).getTime() - startOfDate(from).getTime()) / DAY_MS);
}

/** An instant plus (or minus) hours. */
export function addHours(at: Date, hours: number): Date {
  return new Date(at.getTime() + hours * HOUR_MS);
}

/** An instant plus (or minus) whole days of 24 hours. */
export function addDaysTo(at: Date, days: number): Date {
  return new Date(at.getTime() + days * DAY_MS);
}

/**
 * The same instant `months` later (earlier when negative), keeping the day of the month clamped
 * to the last day of a shorter month: 31 Jan + 1 month is 28 Feb (29 in a leap year).
 */
export function addMonthsTo(at: Date, months: number): Date {
  const y = at.getUTCFullYear();
  const m = at.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m, Math.min(at.getUTCDate(), lastDay), at.getUTCHours(), at.getUTCMinutes(), at.getUTCSeconds(), at.getUTCMilliseconds()));
}

/** YYYY-MM-DD plus months, the day clamped to the month's last day (31 Jan + 1 month = 28 Feb, + 2 months = 31 Mar). */
export function addMonths(date: string, months: number): string {
  return isoDate(addMonthsTo(startOfDate(date), months));
}

/**
 * A date column as YYYY-MM-DD. PostgreSQL (pg) hands dates over as strings; PGlite may hand over
 * Date objects at UTC midnight.
 */
export function dateText(value: string | Date): string;
export function dateText(value: string | Date | null): string | null;
export function dateText(value: string | Date | null): string | null {
  if (value === null) return null;
  return value instanceof Date ? isoDate(value) : value.slice(0, 10);
}
