import type { DelinquencyBucket } from '@crm/events';
import type { UserError } from '@crm/service-kit';
import type { Decimal } from 'decimal.js';
import { type WaiverWindow, waivedPenaltyDays } from './crisis.ts';
import { daysBetween } from './dates.ts';
import { amountScale, Money, type MoneyValue, minorUnits, type RoundingMode, roundMoney, roundMoneySql } from './money.ts';

export type { DelinquencyBucket } from '@crm/events';
export type RiskClass = 'NORMAL' | 'SPECIAL_MENTION' | 'SUBSTANDARD' | 'DOUBTFUL' | 'LOSS';

export const RISK_CLASSES: RiskClass[] = ['NORMAL', 'SPECIAL_MENTION', 'SUBSTANDARD', 'DOUBTFUL', 'LOSS'];

/**
 * Days past due (DPD) as of a date: the days since the due date of the oldest instalment still
 * not fully paid (principal and interest) at the end of that date; 0 on the due date itself.
 * Buckets: CURRENT (0), 1-30, 31-60, 61-90, 90+ (the lower bound of each is listed here and
 * the end-of-day SQL builds its CASE from this table).
 */
export const BUCKET_FLOORS: [DelinquencyBucket, number][] = [
  ['DPD_90_PLUS', 91],
  ['DPD_61_90', 61],
  ['DPD_31_60', 31],
  ['DPD_1_30', 1],
  ['CURRENT', 0],
];

/**
 * Days past due of one instalment at the end of `asOf`: the days since its due date while its
 * principal and interest are not fully paid; 0 on the due date itself and once paid. A loan's
 * DPD is the largest of its instalments' (0 without any).
 */
export function instalmentDaysPastDue(i: { dueDate: string; unpaid: Decimal.Value }, asOf: string): number {
  return i.dueDate < asOf && new Money(i.unpaid).gt(0) ? daysBetween(i.dueDate, asOf) : 0;
}

export function loanDaysPastDue(instalments: readonly { dueDate: string; unpaid: Decimal.Value }[], asOf: string): number {
  return Math.max(0, ...instalments.map((i) => instalmentDaysPastDue(i, asOf)));
}

export function bucketOf(dpd: number): DelinquencyBucket {
  return BUCKET_FLOORS.find(([, floor]) => dpd >= floor)?.[0] ?? 'CURRENT';
}

/**
 * The thresholds (table `risk_class_threshold`, set by `setRiskClassThresholds`) as bands,
 * highest first: the class is that of the first band whose floor is at or below the DPD, NORMAL
 * below them all. The end-of-day SQL is a CASE built from these bands.
 */
export function riskClassBands(thresholds: readonly { riskClass: RiskClass; minDpd: number }[]): [RiskClass, number][] {
  return [...thresholds].sort((a, b) => b.minDpd - a.minDpd).map((t) => [t.riskClass, t.minDpd]);
}

/** The class whose threshold is the highest at or below the DPD. */
export function riskClassOf(dpd: number, thresholds: readonly { riskClass: RiskClass; minDpd: number }[]): RiskClass {
  return riskClassBands(thresholds).find(([, floor]) => dpd >= floor)?.[0] ?? 'NORMAL';
}

/** Days in the penalty's year: penalty accrues per day at penaltyRate / 365. */
export const PENALTY_DAY_BASIS = 365;

/**
 * Penalty on an overdue instalment as of a date: simple interest at the product's annual
 * penalty rate on the unpaid principal and interest, for the days past due beyond the grace
 * days, over a 365-day year, capped (when the product sets `penaltyCapRate`) at that share of the
 * unpaid principal and interest: min(unpaid * penaltyRate * max(0, dpd - graceDays) / 365,
 * unpaid * penaltyCapRate), rounded to the currency's minor unit by the product's rounding mode
 * (half up by default) and written at `amountScale` (at least 2 decimals). The end-of-day SQL
 * (`db/end-of-day.store.ts`) computes it with `penaltyDueSql` below, the same formula from the
 * same constants; `test/end-of-day-oracle.db.test.ts` compares the two row by row.
 */
export function penaltyDue(i: {
  unpaid: Decimal.Value;
  penaltyRate: Decimal.Value;
  dpd: number;
  graceDays: number;
  currency: string;
  penaltyCapRate?: Decimal.Value | null;
  rounding?: RoundingMode;
}): string {
  const days = Math.max(0, i.dpd - i.graceDays);
  let exact = new Money(i.unpaid).times(i.penaltyRate).times(days).dividedBy(PENALTY_DAY_BASIS);
  if (i.penaltyCapRate !== null && i.penaltyCapRate !== undefined) exact = Money.min(exact, new Money(i.unpaid).times(i.penaltyCapRate));
  return roundMoney(exact, minorUnits(i.currency) ?? 2, i.rounding ?? 'HALF_UP').toFixed(amountScale(i.currency));
}

/**
 * `penaltyDue` as a SQL expression over the named columns (trusted identifiers, never input): the
 * exact penalty, the cap (a null cap rate caps nothing: `least` ignores nulls), then the rounding
 * (round() is half away from zero, i.e. half up for these non-negative amounts; HALF_EVEN drops an
 * exact half to the even neighbour), written with at least 2 decimals.
 */
export function penaltyDueSql(c: {
  unpaid: string;
  penaltyRate: string;
  dpd: string;
  graceDays: string;
  minorUnits: string;
  penaltyCapRate: string;
  rounding: string;
}): string {
  for (const v of Object.values(c)) if (!/^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/i.test(v)) throw new Error(`Not a column reference: ${v}`);
  const exact = `least(${c.unpaid} * ${c.penaltyRate} * greatest(${c.dpd} - ${c.graceDays}, 0) / ${PENALTY_DAY_BASIS}, ${c.unpaid} * ${c.penaltyCapRate})`;
  const rounded = roundMoneySql(exact, c.minorUnits, c.rounding);
  return `round(${rounded}, greatest(${c.minorUnits}, 2))`;
}

/**
 * The penalty an instalment owes as of a repayment's value date (a repayment valued before the
 * latest end-of-day run is allocated against the loan as it stood that day): `penaltyDue` on its
 * principal and interest still unpaid, for its days past due counted to that date (nothing on an
 * instalment not yet due then), less the days the loan's crisis penalty waivers spare
 * (`waivedPenaltyDays`, as the end-of-day run counts them), never less than the penalty already
 * paid on it.
 */
export function penaltyAsOf(
  i: {
    dueDate: string;
    principal: Decimal.Value;
    interest: Decimal.Value;
    principalPaid: Decimal.Value;
    interestPaid: Decimal.Value;
    penaltyPaid: Decimal.Value;
  },
  asOf: string,
  t: {
    penaltyRate: Decimal.Value;
    graceDays: number;
    currency: string;
    penaltyCapRate?: Decimal.Value | null;
    rounding?: RoundingMode;
    waivers?: readonly WaiverWindow[];
  },
): MoneyValue {
  const unpaid = new Money(i.principal).plus(i.interest).minus(i.principalPaid).minus(i.interestPaid);
  const overdue = instalmentDaysPastDue({ dueDate: i.dueDate, unpaid }, asOf);
  const dpd = overdue - waivedPenaltyDays({ dueDate: i.dueDate, dpd: overdue, graceDays: t.graceDays }, t.waivers ?? []);
  return Money.max(
    new Money(i.penaltyPaid),
    new Money(
      penaltyDue({
        unpaid,
        penaltyRate: t.penaltyRate,
        dpd,
        graceDays: t.graceDays,
        currency: t.currency,
        penaltyCapRate: t.penaltyCapRate,
        rounding: t.rounding,
      }),
    ),
  );
}

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
