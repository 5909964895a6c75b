import { addDays } from '@crm/service-kit';
import type { Decimal } from 'decimal.js';
import { type Grade, type GradeThreshold, gradeFor, gradeRank } from './value-score.ts';

/** A customer's grade and its open at-risk window, if any. */
export interface GradeState {
  grade: Grade | null;
  since: string | null;
  atRiskSince: string | null;
  atRiskUntil: string | null;
  projected: Grade | null;
}

export type GradeAction = 'NONE' | 'INITIAL' | 'UPGRADE' | 'AT_RISK_OPENED' | 'AT_RISK_UPDATED' | 'AT_RISK_CANCELLED' | 'DOWNGRADE';

export interface GradeDecision {
  action: GradeAction;
  next: GradeState;
  /** The floor of the grade held before the decision (for CustomerGradeAtRisk). */
  floor: string | null;
}

const noWindow = { atRiskSince: null, atRiskUntil: null, projected: null };

/**
 * Downgrade prevention. The first evaluation sets the grade; a score that qualifies for a higher
 * grade upgrades at once; a score under the grade's floor opens an at-risk window of
 * `windowDays` (the downgrade applies on its last day, to the grade the score then qualifies
 * for); a score back at or above the floor inside the window cancels it. Evaluating twice for
 * the same date changes nothing the second time.
 */
export function evaluateGrade(state: GradeState, score: Decimal, thresholds: GradeThreshold[], asOf: string, windowDays: number): GradeDecision {
  const qualified = gradeFor(score, thresholds);
  const floor = state.grade ? (thresholds.find((t) => t.grade === state.grade)?.minScore ?? null) : null;
  const keep: GradeDecision = { action: 'NONE', next: state, floor };
  if (state.grade === null) return { action: 'INITIAL', next: { grade: qualified, since: asOf, ...noWindow }, floor };
  if (gradeRank(qualified) > gradeRank(state.grade)) return { action: 'UPGRADE', next: { grade: qualified, since: asOf, ...noWindow }, floor };
  if (qualified === state.grade) return state.atRiskUntil ? { action: 'AT_RISK_CANCELLED', next: { ...state, ...noWindow }, floor } : keep;
  // Under the floor.
  if (!state.atRiskUntil) {
    const until = addDays(asOf, windowDays);
    if (until <= asOf) return { action: 'DOWNGRADE', next: { grade: qualified, since: asOf, ...noWindow }, floor };
    return { action: 'AT_RISK_OPENED', next: { ...state, atRiskSince: asOf, atRiskUntil: until, projected: qualified }, floor };
  }
  if (asOf >= state.atRiskUntil) return { action: 'DOWNGRADE', next: { grade: qualified, since: asOf, ...noWindow }, floor };
  if (state.projected !== qualified) return { action: 'AT_RISK_UPDATED', next: { ...state, projected: qualified }, floor };
  return keep;
}
