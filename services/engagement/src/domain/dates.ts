/** Calendar arithmetic on UTC dates (YYYY-MM-DD) and instants; no clock. */

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

/** Midnight UTC at the start of a calendar date. */
export function startOfDate(date: string): Date {
  return new Date(`${date}T00:00:00.000Z`);
}

/** The instant a calendar date ends (midnight UTC of the next day): the cut-off of an as-of run. */
export function endOfDate(date: string): Date {
  return new Date(startOfDate(date).getTime() + DAY_MS);
}

export function addDays(date: string, days: number): string {
  return new Date(startOfDate(date).getTime() + days * DAY_MS).toISOString().slice(0, 10);
}

export function addHours(at: Date, hours: number): Date {
  return new Date(at.getTime() + hours * HOUR_MS);
}
