import type { UserError } from '@crm/service-kit';
import { addDays } from './dates.ts';

/**
 * The business date: the date operations are booked on, apart from the wall clock. One per
 * institution (this deployment): the end-of-day run closes every branch's loans at once, so one
 * date keeps the book consistent; branches in other time zones close with the institution.
 * Until it is first set or closed it is the wall clock's date (so nothing changes for a lender
 * who does not use it). Close of business runs end of day for the open date, then opens the next.
 */
export const INSTITUTION = 'default';

/** The date opened by closing `date`. */
export function nextBusinessDate(date: string): string {
  return addDays(date, 1);
}

/**
 * A close is for the open business date only: closing another date (twice, out of order, or one
 * not yet open) is BUSINESS_DATE_MISMATCH; in production a date after the wall clock's is not
 * closed (DATE_IN_FUTURE).
 */
export function checkClose(open: string, asked: string, today: string, production: boolean): UserError[] {
  if (asked !== open)
    return [{ field: 'businessDate', code: 'BUSINESS_DATE_MISMATCH', message: `the open business date is ${open}; ${asked} cannot be closed now` }];
  if (production && open > today)
    return [{ field: 'businessDate', code: 'DATE_IN_FUTURE', message: `cannot close ${open} before it has begun (today is ${today})` }];
  return [];
}

/** Setting the business date directly is for demos, training and tests: refused in production. */
export function checkSet(production: boolean): UserError[] {
  return production ? [{ field: 'date', code: 'NOT_ALLOWED', message: 'in production the business date only moves forward by closeBusinessDay' }] : [];
}
