/** Calendar-date arithmetic on YYYY-MM-DD strings, in UTC, with no clock. */

const DAY_MS = 86_400_000;

function parse(date: string): Date {
  return new Date(`${date}T00:00:00Z`);
}

const format = (d: Date): string => d.toISOString().slice(0, 10);

export function addDays(date: string, days: number): string {
  return format(new Date(parse(date).getTime() + days * DAY_MS));
}

/**
 * Adds months keeping the anchor day, clamped to the month's last day: 31 Jan + 1 month is
 * 28 Feb (29 in a leap year), 31 Jan + 2 months is 31 Mar.
 */
export function addMonths(date: string, months: number): string {
  const d = parse(date);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return format(new Date(Date.UTC(y, m, Math.min(d.getUTCDate(), lastDay))));
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((parse(to).getTime() - parse(from).getTime()) / DAY_MS);
}
