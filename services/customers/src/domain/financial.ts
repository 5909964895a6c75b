import { invalid, type UserError, type Validation, valid } from '@crm/service-kit';
import { Decimal } from 'decimal.js';

export type IncomeBand = 'LOW' | 'LOWER_MIDDLE' | 'UPPER_MIDDLE' | 'HIGH';
export type RiskAppetite = 'CONSERVATIVE' | 'BALANCED' | 'AGGRESSIVE';

/**
 * Monthly income bands: [lower bound inclusive, band]. Amounts are in the lender's operating
 * currency (the same bands for every snapshot; a multi-currency lender converts before recording).
 */
export const INCOME_BANDS: readonly [string, IncomeBand][] = [
  ['1000000', 'HIGH'],
  ['300000', 'UPPER_MIDDLE'],
  ['100000', 'LOWER_MIDDLE'],
  ['0', 'LOW'],
];

export function incomeBandOf(monthlyIncome: Decimal | null): IncomeBand | null {
  if (monthlyIncome === null) return null;
  return INCOME_BANDS.find(([floor]) => monthlyIncome.gte(floor))?.[1] ?? 'LOW';
}

/** Liabilities / assets, 4 decimals, ROUND_HALF_UP; null without (positive) assets or liabilities. */
export function debtRatioOf(assets: Decimal | null, liabilities: Decimal | null): Decimal | null {
  if (assets === null || liabilities === null || assets.isZero()) return null;
  return liabilities.div(assets).toDecimalPlaces(4, Decimal.ROUND_HALF_UP);
}

/** (new - previous) / previous, 4 decimals ROUND_HALF_UP; null without a previous positive income. */
export function incomeChangeRatio(previous: Decimal | null, current: Decimal | null): Decimal | null {
  if (previous === null || current === null || previous.isZero()) return null;
  return current.minus(previous).div(previous).toDecimalPlaces(4, Decimal.ROUND_HALF_UP);
}

export interface SnapshotInput {
  asOf: string;
  currency: string;
  monthlyIncome?: Decimal | null;
  assets?: Decimal | null;
  liabilities?: Decimal | null;
  externalCreditScore?: number | null;
  riskAppetite?: RiskAppetite | null;
}

export interface Snapshot {
  asOf: string;
  currency: string;
  monthlyIncome: Decimal | null;
  assets: Decimal | null;
  liabilities: Decimal | null;
  externalCreditScore: number | null;
  riskAppetite: RiskAppetite | null;
  incomeBand: IncomeBand | null;
  debtRatio: Decimal | null;
}

/** Validates a snapshot (no future date, no negative amount, cents at most, score 0-1000) and derives band and ratio. */
export function validateSnapshot(input: SnapshotInput, today: string): Validation<Snapshot> {
  const errors: UserError[] = [];
  if (input.asOf > today) errors.push({ field: 'asOf', message: 'A snapshot cannot be dated in the future', code: 'DATE_IN_FUTURE' });
  if (!/^[A-Z]{3}$/.test(input.currency)) errors.push({ field: 'currency', message: 'must be an ISO 4217 code such as XAF', code: 'INVALID_FORMAT' });
  const amount = (field: 'monthlyIncome' | 'assets' | 'liabilities'): Decimal | null => {
    const v = input[field] ?? null;
    if (v === null) return null;
    if (v.isNegative()) errors.push({ field, message: `${field} cannot be negative`, code: 'NEGATIVE_AMOUNT' });
    if (v.decimalPlaces() > 2) errors.push({ field, message: `${field} has at most 2 decimals`, code: 'TOO_MANY_DECIMALS' });
    return v;
  };
  const monthlyIncome = amount('monthlyIncome');
  const assets = amount('assets');
  const liabilities = amount('liabilities');
  const score = input.externalCreditScore ?? null;
  if (score !== null && (score < 0 || score > 1000)) errors.push({ field: 'externalCreditScore', message: 'must be between 0 and 1000', code: 'OUT_OF_RANGE' });
  if (monthlyIncome === null && assets === null && liabilities === null && score === null && !input.riskAppetite)
    errors.push({ field: null, message: 'A snapshot records at least one value', code: 'EMPTY_SNAPSHOT' });
  if (errors.length) return invalid(errors);
  return valid({
    asOf: input.asOf,
    currency: input.currency,
    monthlyIncome,
    assets,
    liabilities,
    externalCreditScore: score,
    riskAppetite: input.riskAppetite ?? null,
    incomeBand: incomeBandOf(monthlyIncome),
    debtRatio: debtRatioOf(assets, liabilities),
  });
}
