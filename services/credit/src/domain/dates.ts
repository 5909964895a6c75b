/** Calendar-date arithmetic on YYYY-MM-DD strings, in UTC, with no clock. */

// The platform's one implementation (`@crm/service-kit` dates.ts): addMonths clamps to the month's last day.
export { addDays, addMonths, daysBetween } from '@crm/service-kit';
