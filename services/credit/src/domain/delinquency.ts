import type { UserError } from '@crm/service-kit';

export type DelinquencyBucket = 'CURRENT' | 'DPD_1_30' | 'DPD_31_60' | 'DPD_61_90' | 'DPD_90_PLUS';
export type RiskClass = 'NORMAL' | 'SPECIAL_MENTION' | 'SUBSTANDARD' | 'DOUBTFUL' | 'LOSS';

export const RISK_CLASSES: RiskClass[] = ['NORMAL', 'SPECIAL_MENTION', 'SUBSTANDARD', 'DOUBTFUL', 'LOSS'];

/**
 * Days past due (DPD) as of a date: the days since the due date of the oldest instalment still
 * not fully paid (principal and interest) at the end of that date; 0 on the due date itself.
 * Buckets: CURRENT (0), 1-30, 31-60, 61-90, 90+ (the lower bound of each is listed here and
 * the end-of-day SQL uses this table).
 */
export const BUCKET_FLOORS: [DelinquencyBucket, number][] = [
  ['DPD_90_PLUS', 91],
  ['DPD_61_90', 61],
  ['DPD_31_60', 31],
  ['DPD_1_30', 1],
  ['CURRENT', 0],
];

export function bucketOf(dpd: number): DelinquencyBucket {
  return BUCKET_FLOORS.find(([, floor]) => dpd >= floor)?.[0] ?? 'CURRENT';
}

/** The class whose threshold is the highest at or below the DPD. */
export function riskClassOf(dpd: number, thresholds: { riskClass: RiskClass; minDpd: number }[]): RiskClass {
  return [...thresholds].sort((a, b) => b.minDpd - a.minDpd).find((t) => dpd >= t.minDpd)?.riskClass ?? 'NORMAL';
}

/**
 * Penalty on an overdue instalment as of a date: simple interest at the product's annual
 * penalty rate on the unpaid principal and interest, for the days past due beyond the grace
 * days, over a 365-day year: unpaid * penaltyRate * max(0, dpd - graceDays) / 365, rounded half
 * up to the minor unit (computed in SQL by the end-of-day run with exactly this formula).
 */
export const PENALTY_FORMULA = 'round(unpaid * penalty_rate * greatest(dpd - grace_days, 0) / 365, scale)';

/** Thresholds: one per class, NORMAL at 0, strictly increasing in class order. */
export function validateThresholds(input: { riskClass: RiskClass; minDaysPastDue: number }[]): UserError[] {
  const byClass = new Map(input.map((t) => [t.riskClass, t.minDaysPastDue]));
  if (byClass.size !== input.length || RISK_CLASSES.some((c) => !byClass.has(c))) {
    return [{ field: 'thresholds', code: 'INCOMPLETE', message: 'give exactly one threshold for each of the five classes' }];
  }
  if (byClass.get('NORMAL') !== 0) return [{ field: 'thresholds', code: 'NORMAL_NOT_ZERO', message: 'NORMAL must start at 0 days past due' }];
  for (let k = 1; k < RISK_CLASSES.length; k++) {
    const prev = byClass.get(RISK_CLASSES[k - 1] ?? 'NORMAL') ?? 0;
    const cur = byClass.get(RISK_CLASSES[k] ?? 'NORMAL') ?? 0;
    if (cur <= prev) return [{ field: 'thresholds', code: 'NOT_INCREASING', message: `${RISK_CLASSES[k]} must start after ${RISK_CLASSES[k - 1]}` }];
  }
  return [];
}
