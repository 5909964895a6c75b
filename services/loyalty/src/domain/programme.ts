import { Decimal } from 'decimal.js';

/**
 * Redemption rate: points redeemed per point issued in the period, 4 decimal places rounded
 * ROUND_HALF_UP; null when nothing was issued.
 */
export function redemptionRate(redeemed: number, issued: number): string | null {
  if (issued <= 0) return null;
  return new Decimal(redeemed).div(issued).toDecimalPlaces(4, Decimal.ROUND_HALF_UP).toFixed(4);
}
