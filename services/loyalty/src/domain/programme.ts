import { Decimal } from 'decimal.js';

/** Points moved in a period (all whole points). */
export interface PointsMovements {
  issued: number;
  redeemed: number;
  expired: number;
  reversed: number;
}

/**
 * Redemption rate: points redeemed per point issued in the period, 4 decimal places rounded
 * ROUND_HALF_UP; null when nothing was issued.
 */
export function redemptionRate(redeemed: number, issued: number): string | null {
  if (issued <= 0) return null;
  return new Decimal(redeemed).div(issued).toDecimalPlaces(4, Decimal.ROUND_HALF_UP).toFixed(4);
}

/** The figures shown for a period: the movements and the redemption rate. */
export function programmeFigures(m: PointsMovements) {
  return {
    pointsIssued: m.issued,
    pointsRedeemed: m.redeemed,
    pointsExpired: m.expired,
    pointsReversed: m.reversed,
    redemptionRate: redemptionRate(m.redeemed, m.issued),
  };
}

/** Programme totals from per-branch rows. */
export function totalOf<T extends PointsMovements & { liability: number }>(rows: readonly T[]): PointsMovements & { liability: number } {
  return rows.reduce(
    (t, r) => ({
      issued: t.issued + r.issued,
      redeemed: t.redeemed + r.redeemed,
      expired: t.expired + r.expired,
      reversed: t.reversed + r.reversed,
      liability: t.liability + r.liability,
    }),
    { issued: 0, redeemed: 0, expired: 0, reversed: 0, liability: 0 },
  );
}
