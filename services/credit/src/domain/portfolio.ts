import { Decimal } from 'decimal.js';
import { Money } from './money.ts';

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
