/**
 * The one ISO 4217 minor-unit table of the platform: how many decimals an amount in a currency
 * may carry. Currencies not listed here have 2 decimals; a code that is not three capital
 * letters is not a currency (null).
 */
export const MINOR_UNIT_EXCEPTIONS: Readonly<Record<string, number>> = Object.freeze({
  // 0 decimals
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  // 3 decimals
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  // 4 decimals
  CLF: 4,
  UYW: 4,
});

/** The decimals every other valid code has. */
export const DEFAULT_MINOR_UNITS = 2;

const CURRENCY_CODE = /^[A-Z]{3}$/;

/** Whether the text is an ISO 4217-shaped currency code (three capital letters). */
export function isCurrencyCode(currency: string): boolean {
  return CURRENCY_CODE.test(currency);
}

/** Decimals of the currency's minor unit (0, 2, 3 or 4), or null when the code is not a currency. */
export function minorUnits(currency: string): number | null {
  if (!isCurrencyCode(currency)) return null;
  return MINOR_UNIT_EXCEPTIONS[currency] ?? DEFAULT_MINOR_UNITS;
}

/**
 * The same table as a SQL expression over a currency column, for set-wise statements (one source:
 * built from MINOR_UNIT_EXCEPTIONS, never written by hand). `column` must be a trusted SQL
 * reference such as `l.currency`; the codes inlined are validated above.
 */
export function minorUnitsSql(column: string): string {
  if (!/^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/i.test(column)) throw new Error(`Not a column reference: ${column}`);
  const byScale = new Map<number, string[]>();
  for (const [code, scale] of Object.entries(MINOR_UNIT_EXCEPTIONS)) {
    if (!isCurrencyCode(code)) throw new Error(`Bad currency code ${code}`);
    byScale.set(scale, [...(byScale.get(scale) ?? []), code]);
  }
  const whens = [...byScale].map(([scale, codes]) => `when ${column} in (${codes.map((c) => `'${c}'`).join(', ')}) then ${scale}`);
  return `(case ${whens.join(' ')} else ${DEFAULT_MINOR_UNITS} end)`;
}
