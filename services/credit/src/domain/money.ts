import { Decimal } from 'decimal.js';

/**
 * Exact money arithmetic for credit. Amounts are decimal.js values (never JS numbers) and are
 * rounded to the currency's minor unit with ROUND_HALF_UP (commercial rounding: 0.005 -> 0.01),
 * the rule every schedule, penalty and allocation in this service uses.
 */
export const Money = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
export type MoneyValue = InstanceType<typeof Money>;

/**
 * Minor units of the currencies with other than two decimals that credit supports. Amounts are
 * stored as numeric(20, 2), so currencies with three decimals (BHD, KWD...) are refused.
 */
const ZERO_DECIMAL_CURRENCIES = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']);
const THREE_DECIMAL_CURRENCIES = new Set(['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND']);

/** Decimals of a currency's minor unit (0 or 2), or null for a currency credit cannot hold. */
export function minorUnits(currency: string): number | null {
  if (!/^[A-Z]{3}$/.test(currency) || THREE_DECIMAL_CURRENCIES.has(currency)) return null;
  return ZERO_DECIMAL_CURRENCIES.has(currency) ? 0 : 2;
}

/** Rounds to the minor unit, half up. */
export function roundMoney(value: Decimal.Value, scale: number): MoneyValue {
  return new Money(value).toDecimalPlaces(scale, Decimal.ROUND_HALF_UP);
}

/** The amount as a fixed-scale string for the database and events ("1250.50"). */
export function moneyString(value: Decimal.Value, scale = 2): string {
  return new Money(value).toFixed(scale);
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
