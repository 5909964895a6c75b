/** Calendar arithmetic on YYYY-MM-DD dates (UTC), no clock. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export const isoDate = (d: Date): string => d.toISOString().slice(0, 10);

/**
 * A date column as YYYY-MM-DD. PostgreSQL (pg) hands dates over as strings; PGlite in this
 * workspace hands over Date objects at UTC midnight despite the configured parser.
 */
export function dateText(value: string | Date): string;
export function dateText(value: string | Date | null): string | null;
export function dateText(value: string | Date | null): string | null {
  if (value === null) return null;
  return value instanceof Date ? isoDate(value) : value;
}
