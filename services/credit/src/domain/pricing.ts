import type { Decimal } from 'decimal.js';
import { Money, type MoneyValue } from './money.ts';

/** Basis points in a whole (1 bp = 0.0001 of rate). */
export const BPS_PER_UNIT = 10_000;

/** The pricing of a new loan: the rate asked for, the customer's loyalty tier discount, the floor. */
export interface PricingInput {
  /** The annual rate the officer asked for, within the product's range (a fraction, 0.18 = 18 %). */
  baseRate: Decimal.Value;
  /** The tier credit knows for the customer (null: none) and its rate discount in basis points. */
  tier: string | null;
  discountBps: number;
  /** The lowest rate the product allows (its minimum rate): the discount never takes the rate below it. */
  floorRate: Decimal.Value;
}

export interface Pricing {
  baseRate: MoneyValue;
  tier: string | null;
  discountBps: number;
  /** The discount actually taken off, in rate points (base - rate), 6 decimals. */
  discount: MoneyValue;
  floorRate: MoneyValue;
  /** The rate charged: max(base - discountBps / 10,000, floor), never above the base. */
  rate: MoneyValue;
}

/**
 * The rate of a new loan: the loyalty tier's discount (basis points, from credit's replica of
 * loyalty's tier events) taken off the rate asked for, at application, floored at the product's
 * minimum rate; a rate asked for at or below the floor keeps no discount. Rates have 6 decimals,
 * so a whole number of basis points is exact (no rounding).
 */
export function priceLoan(input: PricingInput): Pricing {
  const base = new Money(input.baseRate);
  const floor = new Money(input.floorRate);
  const discountBps = Math.max(0, Math.min(BPS_PER_UNIT, Math.trunc(input.discountBps)));
  const discounted = base.minus(new Money(discountBps).div(BPS_PER_UNIT));
  const rate = Money.min(base, Money.max(discounted, floor));
  return { baseRate: base, tier: input.tier, discountBps, discount: base.minus(rate), floorRate: floor, rate };
}
