import { minorUnits as currencyMinorUnits } from '@crm/service-kit';
import { Decimal } from 'decimal.js';

/**
 * Exact money arithmetic for credit. Amounts are decimal.js values (never JS numbers) and are
 * rounded to the currency's minor unit with ROUND_HALF_UP (commercial rounding: 0.005 -> 0.01),
 * the rule every schedule, penalty and allocation in this service uses.
 */
export const Money = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
export type MoneyValue = InstanceType<typeof Money>;

/** Most decimals a stored amount may carry (money columns are checked `scale(x) <= 4`). */
export const MAX_STORED_SCALE = 4;

/**
 * Decimals of a currency's minor unit, from the platform's one ISO 4217 table
 * (`@crm/service-kit` money.ts): 0 (XOF, JPY...), 2, 3 (KWD, BHD...) or 4 (CLF, UYW); null for a
 * code that is not a currency.
 */
export function minorUnits(currency: string): number | null {
  return currencyMinorUnits(currency);
}

/**
 * Decimals amounts of the currency are written with in the database, events and the API: the
 * minor unit, but never fewer than 2 ("250000.00" XOF, "1200.00" USD, "136.667" KWD). Values are
 * always rounded at the minor unit first; the extra zeros only keep the established format.
 */
export function amountScale(currency: string): number {
  return Math.max(2, minorUnits(currency) ?? 2);
}

/**
 * How amounts are rounded to the minor unit (a product setting): HALF_UP (commercial rounding,
 * 0.125 -> 0.13, the default) or HALF_EVEN (banker's rounding, 0.125 -> 0.12, 0.135 -> 0.14).
 */
export type RoundingMode = 'HALF_UP' | 'HALF_EVEN';

/** Rounds to the minor unit, half up unless the product says HALF_EVEN. */
export function roundMoney(value: Decimal.Value, scale: number, mode: RoundingMode = 'HALF_UP'): MoneyValue {
  return new Money(value).toDecimalPlaces(scale, mode === 'HALF_EVEN' ? Decimal.ROUND_HALF_EVEN : Decimal.ROUND_HALF_UP);
}

/**
 * `roundMoney` as a SQL expression over trusted fragments (column references or expressions built
 * by the stores, never input): round() is half away from zero, i.e. half up for the non-negative
 * amounts it rounds; HALF_EVEN drops an exact half to the even neighbour. The end-of-day penalty
 * and daily accrual round with it.
 */
export function roundMoneySql(exact: string, minorUnits: string, rounding: string): string {
  const shifted = `(${exact}) * power(10::numeric, ${minorUnits})`;
  const halfEven = `(${rounding} = 'HALF_EVEN' and ${shifted} - trunc(${shifted}) = 0.5 and mod(trunc(${shifted}), 2) = 0)`;
  return `(case when ${halfEven} then trunc(${exact}, ${minorUnits}) else round(${exact}, ${minorUnits}) end)`;
}

/** The smallest multiple of `multiple` (a positive amount, e.g. 100 XOF or 0.05) at or above `value`. */
export function roundUpToMultiple(value: Decimal.Value, multiple: Decimal.Value): MoneyValue {
  const m = new Money(multiple);
  return new Money(value).div(m).toDecimalPlaces(0, Decimal.ROUND_CEIL).mul(m);
}

/**
 * The amount as a fixed-scale string for the database and events ("1250.50"). Without a scale it
 * is exact: at least 2 decimals, more when the value has them (never rounded away).
 */
export function moneyString(value: Decimal.Value, scale?: number): string {
  const d = new Money(value);
  return d.toFixed(scale ?? Math.max(2, d.decimalPlaces()));
}

/** Decimals written in a decimal string ("12.50" -> 2, "7" -> 0). */
export function scaleOf(text: string): number {
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

/** Exact sum of decimal strings, written with the largest scale among them (at least 2). */
export function sumAmounts(...values: string[]): string {
  const sum = values.reduce((s, v) => s.plus(v), new Money(0));
  return sum.toFixed(Math.max(2, ...values.map(scaleOf)));
}

export type AmountProblem = 'NOT_POSITIVE' | 'TOO_MANY_DECIMALS';

/** Why an amount cannot be a money movement in this currency, or null when it can. */
export function checkAmount(value: Decimal.Value, scale: number): AmountProblem | null {
  const d = new Money(value);
  if (d.lte(0)) return 'NOT_POSITIVE';
  if (d.decimalPlaces() > scale) return 'TOO_MANY_DECIMALS';
  return null;
}

export const amountMessages: Record<AmountProblem, string> = {
  NOT_POSITIVE: 'must be greater than zero',
  TOO_MANY_DECIMALS: 'has more decimals than the currency allows',
};
