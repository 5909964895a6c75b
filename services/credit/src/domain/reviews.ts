import { addDays } from './dates.ts';
import type { RiskClass } from './delinquency.ts';
import { Money } from './money.ts';

/**
 * Periodic credit reviews (issue 15): how often a loan is reviewed is not credit's constant but
 * engagement's monitoring cadence (per risk class, bands by minimum principal, edited there with
 * `setMonitoringCadence`), which credit keeps as a replica (`review_cadence_replica`, fed by
 * MonitoringCadenceChanged, seeded with 365 days, 180 for NORMAL loans of 1,000,000 or more, 90
 * for SPECIAL_MENTION, 30 for SUBSTANDARD and worse). `Loan.nextReviewDue` applies these rules to
 * the replica's rows; the overdue-review query (db/review.store.ts) joins the same rows in SQL
 * (test/review-cadence.db.test.ts compares the two).
 */
export interface ReviewBand {
  riskClass: string;
  /** Decimal string: loans of at least this principal (in the loan's currency units). */
  minPrincipal: string;
  reviewEveryDays: number;
}

/**
 * The band of a loan: of its risk class, the one with the highest minimum principal not above the
 * loan's principal (engagement's `cadenceFor`); null when the table has none for the class.
 */
export function reviewBandFor(bands: readonly ReviewBand[], riskClass: RiskClass, principal: string): ReviewBand | null {
  const amount = new Money(principal);
  let best: ReviewBand | null = null;
  for (const b of bands) {
    if (b.riskClass !== riskClass || new Money(b.minPrincipal).gt(amount)) continue;
    if (!best || new Money(b.minPrincipal).gt(best.minPrincipal)) best = b;
  }
  return best;
}

/** Days between periodic reviews of a loan; null when the cadence has no band for its class. */
export function reviewIntervalDays(bands: readonly ReviewBand[], principal: string, riskClass: RiskClass): number | null {
  return reviewBandFor(bands, riskClass, principal)?.reviewEveryDays ?? null;
}

/** The next review is due one interval after the last review (or the disbursement). */
export function nextReviewDue(bands: readonly ReviewBand[], lastReviewOrDisbursement: string, principal: string, riskClass: RiskClass): string | null {
  const days = reviewIntervalDays(bands, principal, riskClass);
  return days === null ? null : addDays(lastReviewOrDisbursement, days);
}
