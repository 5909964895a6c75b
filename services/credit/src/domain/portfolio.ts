import { Decimal } from 'decimal.js';
import type { DelinquencyBucket } from './delinquency.ts';
import { Money, type MoneyValue } from './money.ts';

/** Portfolio metrics as GraphQL returns them: amounts and ratios as exact decimal strings. */
export interface PortfolioFigures {
  asOf: string | null;
  currency: string | null;
  activeLoans: number;
  outstandingPrincipal: string;
  par30: string;
  par90: string;
  nonPerformingRatio: string;
  collectionRate: string | null;
  repeatBorrowerRate: string;
}

/** part / whole to 4 decimals, half up; 0 when the whole is 0 (null when `nullWhenEmpty`). */
export function ratio(part: string, whole: string): string {
  const w = new Money(whole);
  if (w.isZero()) return '0.0000';
  return new Money(part).div(w).toDecimalPlaces(4, Decimal.ROUND_HALF_UP).toFixed(4);
}

/** The first day of the date's month: the default start of the collection-rate period. */
export const monthStart = (date: string): string => `${date.slice(0, 8)}01`;

/** Collected / due, or null when nothing fell due in the period. */
export function collectionRate(collected: string, due: string): string | null {
  return new Money(due).isZero() ? null : ratio(collected, due);
}

/** Where a loan of a bucket at the start of a roll-rate period is at its end. */
export type RollRateState = 'CURRENT' | 'DPD_1_30' | 'DPD_31_60' | 'DPD_61_90' | 'DPD_90_PLUS' | 'CLOSED' | 'WRITTEN_OFF' | 'NOT_EVALUATED';

/** The order of the matrix's rows and columns. */
export const ROLL_RATE_STATES: readonly RollRateState[] = [
  'CURRENT',
  'DPD_1_30',
  'DPD_31_60',
  'DPD_61_90',
  'DPD_90_PLUS',
  'CLOSED',
  'WRITTEN_OFF',
  'NOT_EVALUATED',
];

export interface RollRateCell {
  fromBucket: DelinquencyBucket;
  toState: RollRateState;
  loans: number;
  outstanding: string;
  /** loans / loans of the row. */
  countRate: string;
  /** outstanding / outstanding of the row. */
  outstandingRate: string;
}

/** Rates of each cell within its row (the bucket at the start), rows and columns in bucket order. */
export function rollRateCells(
  cells: readonly { from_bucket: DelinquencyBucket; to_state: RollRateState; loans: string; outstanding: string }[],
): RollRateCell[] {
  const rowTotals = new Map<DelinquencyBucket, { loans: MoneyValue; outstanding: MoneyValue }>();
  for (const c of cells) {
    const t = rowTotals.get(c.from_bucket) ?? { loans: new Money(0), outstanding: new Money(0) };
    rowTotals.set(c.from_bucket, { loans: t.loans.plus(c.loans), outstanding: t.outstanding.plus(c.outstanding) });
  }
  const rank = (s: RollRateState) => ROLL_RATE_STATES.indexOf(s);
  return [...cells]
    .sort((a, b) => rank(a.from_bucket) - rank(b.from_bucket) || rank(a.to_state) - rank(b.to_state))
    .map((c) => {
      const t = rowTotals.get(c.from_bucket);
      return {
        fromBucket: c.from_bucket,
        toState: c.to_state,
        loans: Number(c.loans),
        outstanding: String(c.outstanding),
        countRate: ratio(String(c.loans), t?.loans.toFixed() ?? '0'),
        outstandingRate: ratio(String(c.outstanding), t?.outstanding.toFixed() ?? '0'),
      };
    });
}

/** One point of a vintage curve (see `vintages` in schema.graphql). */
export interface VintagePoint {
  vintage: string;
  monthsOnBook: number;
  loans: number;
  disbursedPrincipal: string;
  outstanding: string;
  par30Outstanding: string;
  writtenOffPrincipal: string;
  /** par30Outstanding / disbursedPrincipal. */
  par30Rate: string;
  /** writtenOffPrincipal / disbursedPrincipal. */
  writeOffRate: string;
}
