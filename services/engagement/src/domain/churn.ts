import { addDays } from '@crm/service-kit';
import { Decimal } from 'decimal.js';
import type { ChurnRiskLevel, ChurnSignalValue } from './types.ts';

/** Raw facts about a customer as of a date, gathered set-wise by the churn-scoring run. */
export interface ChurnInputs {
  /** Contacts in the 90 days up to the as-of date, and in the 90 days before those. */
  recentInteractions: number;
  previousInteractions: number;
  /** Complaints (not suggestions or praise) received in the last 180 days. */
  complaints: number;
  /** Survey responses with NPS <= 6 or CSAT <= 2 in the last 180 days. */
  lowScores: number;
  /** Worst delinquency bucket of the active loans: 0 current ... 4 for 90+ days; null without active loans. */
  worstBucketRank: number | null;
  activeLoans: number;
  lastClosedOn: string | null;
  lastInteractionOn: string | null;
}

export const CHURN_WINDOW_DAYS = 90;
export const CHURN_LOOKBACK_DAYS = 180;
export const NO_RENEWAL_DAYS = 30;
export const DORMANCY_DAYS = 180;
/** Strength of the overdue signal by bucket rank (current, 1-30, 31-60, 61-90, 90+). */
const BUCKET_STRENGTH = ['0', '0.4', '0.7', '1', '1'];

const clamp01 = (d: Decimal) => Decimal.min(1, Decimal.max(0, d));

/** Each signal's strength from 0 to 1 (4 decimals). */
export function churnSignalValues(i: ChurnInputs, asOf: string): Record<string, Decimal> {
  const decline = i.previousInteractions > 0 ? clamp01(new Decimal(i.previousInteractions - i.recentInteractions).div(i.previousInteractions)) : new Decimal(0);
  const noLoan = i.activeLoans === 0;
  const closedLongAgo = i.lastClosedOn !== null && i.lastClosedOn <= addDays(asOf, -NO_RENEWAL_DAYS);
  const silent = i.lastInteractionOn === null || i.lastInteractionOn <= addDays(asOf, -DORMANCY_DAYS);
  const values: Record<string, Decimal> = {
    INTERACTION_DECLINE: decline,
    COMPLAINTS: new Decimal(Math.min(i.complaints, 3)).div(3),
    LOW_SURVEY_SCORE: new Decimal(i.lowScores > 0 ? 1 : 0),
    OVERDUE_INSTALMENTS: new Decimal(i.worstBucketRank === null ? '0' : (BUCKET_STRENGTH[Math.min(i.worstBucketRank, 4)] ?? '0')),
    LOAN_CLOSED_NO_RENEWAL: new Decimal(noLoan && closedLongAgo ? 1 : 0),
    DORMANCY: new Decimal(noLoan && silent ? 1 : 0),
  };
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.toDecimalPlaces(4, Decimal.ROUND_HALF_UP)]));
}

/**
 * Score = sum of weight x strength over the weighted signals, rounded to 2 decimals (HALF_UP);
 * every signal is listed with its weight and strength, so the score explains itself.
 */
export function churnScore(
  values: Record<string, Decimal>,
  weights: readonly { code: string; weight: string }[],
): { score: Decimal; signals: ChurnSignalValue[] } {
  let score = new Decimal(0);
  const signals: ChurnSignalValue[] = [];
  for (const w of weights) {
    const value = values[w.code] ?? new Decimal(0);
    score = score.plus(new Decimal(w.weight).times(value));
    signals.push({ code: w.code, weight: new Decimal(w.weight).toFixed(2), value: value.toFixed(4) });
  }
  return { score: score.toDecimalPlaces(2, Decimal.ROUND_HALF_UP), signals };
}

/** The highest level whose minimum score is reached. */
export function churnLevel(score: Decimal, thresholds: readonly { level: ChurnRiskLevel; min_score: string }[]): ChurnRiskLevel {
  let best: { level: ChurnRiskLevel; min: Decimal } = { level: 'LOW', min: new Decimal(-1) };
  for (const t of thresholds) {
    const min = new Decimal(t.min_score);
    if (score.gte(min) && min.gt(best.min)) best = { level: t.level, min };
  }
  return best.level;
}

/** A level change is announced; a first score is announced only when it is not LOW. */
export function isChurnLevelChange(previous: ChurnRiskLevel | null, level: ChurnRiskLevel): boolean {
  return previous === null ? level !== 'LOW' : previous !== level;
}
