import { Decimal } from 'decimal.js';

/** What an earning rule says, as data. */
export interface EarningRule {
  code: string;
  calculation: 'FIXED' | 'PROPORTIONAL';
  /** FIXED points. */
  points: number;
  /** PROPORTIONAL: points per currency unit (decimal string). */
  rate: string | null;
  /** Whether the member's tier multiplier applies. */
  tierMultiplier: boolean;
}

/**
 * Points a rule awards. PROPORTIONAL: amount × rate; then × the tier multiplier when the rule
 * says so. Computed exactly with decimal.js and rounded DOWN to whole points once, at the end
 * (points are integers, never a fraction in the member's favour). 0 when nothing is earned.
 */
export function pointsForRule(rule: EarningRule, amount: string | null, tierMultiplier: string): number {
  let base: Decimal;
  if (rule.calculation === 'PROPORTIONAL') {
    if (amount === null || rule.rate === null) return 0;
    base = new Decimal(amount).times(rule.rate);
  } else {
    base = new Decimal(rule.points);
  }
  const total = rule.tierMultiplier ? base.times(tierMultiplier) : base;
  const points = total.toDecimalPlaces(0, Decimal.ROUND_DOWN);
  return points.isPositive() ? points.toNumber() : 0;
}
