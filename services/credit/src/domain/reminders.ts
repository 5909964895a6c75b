import { addDays } from './dates.ts';

/**
 * Instalment due reminders (issue 15): an unpaid instalment gets its InstalmentDue (engagement's
 * due reminder to the customer) its loan product's reminder days before its due date, once. The
 * end-of-day run selects them in SQL (db/end-of-day.store.ts `recordNotices`) by the same rule.
 */

/** The lead of a product until it is changed (migration 0020 gives every product this). */
export const DEFAULT_DUE_REMINDER_DAYS = 3;
/** The longest lead a product may have. */
export const MAX_DUE_REMINDER_DAYS = 60;

/** An unpaid instalment is reminded of on a run date from `reminderDays` before its due date up to the due date. */
export function isDueForReminder(input: { dueDate: string; owed: boolean; reminderDays: number }, asOf: string): boolean {
  return input.owed && input.dueDate >= asOf && input.dueDate <= addDays(asOf, input.reminderDays);
}

/** A product's reminder lead: a whole number of days from 0 (on the due date) to MAX_DUE_REMINDER_DAYS. */
export function reminderDaysError(days: number): { field: string; code: string; message: string } | null {
  if (!Number.isInteger(days) || days < 0 || days > MAX_DUE_REMINDER_DAYS)
    return { field: 'dueReminderDays', code: 'OUT_OF_RANGE', message: `must be a whole number of days from 0 to ${MAX_DUE_REMINDER_DAYS}` };
  return null;
}
