import { addDays } from './dates.ts';
import type { RiskClass } from './delinquency.ts';
import { Money } from './money.ts';

/** A loan is "large" from this principal (in its currency's units) and reviewed twice a year. */
export const LARGE_LOAN_PRINCIPAL = '1000000';

/**
 * Days between periodic credit reviews: 30 for SUBSTANDARD, DOUBTFUL and LOSS loans, 90 for
 * SPECIAL_MENTION, 180 for large loans, 365 otherwise (the end-of-day-independent rule the
 * overdue-review query repeats in SQL from this table).
 */
export const REVIEW_INTERVALS: { riskClasses: RiskClass[]; days: number }[] = [
  { riskClasses: ['SUBSTANDARD', 'DOUBTFUL', 'LOSS'], days: 30 },
  { riskClasses: ['SPECIAL_MENTION'], days: 90 },
];
export const LARGE_LOAN_REVIEW_DAYS = 180;
export const STANDARD_REVIEW_DAYS = 365;

export function reviewIntervalDays(principal: string, riskClass: RiskClass): number {
  const byClass = REVIEW_INTERVALS.find((r) => r.riskClasses.includes(riskClass));
  if (byClass) return byClass.days;
  return new Money(principal).gte(LARGE_LOAN_PRINCIPAL) ? LARGE_LOAN_REVIEW_DAYS : STANDARD_REVIEW_DAYS;
}

/** The next review is due one interval after the last review (or the disbursement). */
export function nextReviewDue(lastReviewOrDisbursement: string, principal: string, riskClass: RiskClass): string {
  return addDays(lastReviewOrDisbursement, reviewIntervalDays(principal, riskClass));
}
