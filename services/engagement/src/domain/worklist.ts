import type { DelinquencyBucket } from '@crm/events';
import type { ChurnRiskLevel, TaskPriority } from './types.ts';

/**
 * The worklist rank: every open task of a staff member scores the sum of six factors, and the
 * worklist lists the highest score first (then the earliest due time, then the id). Each factor
 * says why it counts, so the rank explains itself:
 *
 * | factor   | points                                                                          |
 * | -------- | ------------------------------------------------------------------------------- |
 * | DUE      | 1000 when the task is overdue, else 0                                           |
 * | PRIORITY | URGENT 300, HIGH 200, NORMAL 100, LOW 0 (the priority set by the service level) |
 * | RISK     | worst bucket of the customer's active loans: 1-30 10, 31-60 20, 61-90 25, 90+ 30 |
 * | CHURN    | the customer's churn level: MEDIUM 10, HIGH 20                                  |
 * | VALUE    | the grade's worklist points in the service-level table (0-25; VIP 25 by default) |
 * | CARE     | the highest worklist points of the customer's care needs (0-20; ELDERLY 20)     |
 *
 * RISK + CHURN + VALUE + CARE stay under 100, so they order the tasks within one priority and
 * never lift a task over a more urgent priority; overdue tasks come first whatever the rest. For a
 * customer without loans in arrears, churn risk, grade or needs, the order is the one the worklist
 * always had: overdue first, then priority, then due time. The SQL of the worklist
 * (db/worklist.store.ts) is built from these constants.
 */

export type WorklistFactor = 'DUE' | 'PRIORITY' | 'RISK' | 'CHURN' | 'VALUE' | 'CARE';

export const OVERDUE_POINTS = 1000;
export const PRIORITY_POINTS: Record<TaskPriority, number> = { URGENT: 300, HIGH: 200, NORMAL: 100, LOW: 0 };
export const RISK_POINTS: Record<DelinquencyBucket, number> = { CURRENT: 0, DPD_1_30: 10, DPD_31_60: 20, DPD_61_90: 25, DPD_90_PLUS: 30 };
export const CHURN_POINTS: Record<ChurnRiskLevel, number> = { LOW: 0, MEDIUM: 10, HIGH: 20 };

/** What the rank of one open task is computed from. */
export interface WorklistRankInput {
  dueAt: Date;
  priority: TaskPriority;
  /** Worst bucket of the customer's active loans (CURRENT without any in arrears) and its days past due. */
  worstBucket: DelinquencyBucket;
  daysPastDue: number;
  churnLevel: ChurnRiskLevel | null;
  churnScore: string | null;
  grade: string | null;
  /** The grade's worklist points (service level). */
  valuePoints: number;
  careNeeds: readonly string[];
  /** The highest worklist points of the needs (service level). */
  carePoints: number;
}

export interface WorklistRankFactor {
  factor: WorklistFactor;
  points: number;
  reason: string;
}

export interface WorklistRank {
  score: number;
  factors: WorklistRankFactor[];
}

/** The score of a task and the reasons for it, as of `now`. */
export function worklistRank(i: WorklistRankInput, now: Date): WorklistRank {
  const overdue = i.dueAt.getTime() < now.getTime();
  const factors: WorklistRankFactor[] = [
    {
      factor: 'DUE',
      points: overdue ? OVERDUE_POINTS : 0,
      reason: overdue ? `overdue since ${i.dueAt.toISOString()}` : `due ${i.dueAt.toISOString()} (earlier due times first among equal scores)`,
    },
    { factor: 'PRIORITY', points: PRIORITY_POINTS[i.priority], reason: `priority ${i.priority}` },
    {
      factor: 'RISK',
      points: RISK_POINTS[i.worstBucket],
      reason: i.worstBucket === 'CURRENT' ? 'no active loan in arrears' : `a loan ${i.daysPastDue} days past due (${i.worstBucket})`,
    },
    {
      factor: 'CHURN',
      points: i.churnLevel ? CHURN_POINTS[i.churnLevel] : 0,
      reason: i.churnLevel ? `churn risk ${i.churnLevel}${i.churnScore ? ` (${i.churnScore})` : ''}` : 'churn risk not scored yet',
    },
    { factor: 'VALUE', points: i.valuePoints, reason: i.grade ? `grade ${i.grade}` : 'no grade yet' },
    { factor: 'CARE', points: i.carePoints, reason: i.careNeeds.length ? `special care: ${i.careNeeds.join(', ')}` : 'no special care' },
  ];
  return { score: factors.reduce((s, f) => s + f.points, 0), factors };
}

/** The worklist order: highest score first, then the earliest due time, then the id (stable). */
export function compareWorklistRank(a: { score: number; dueAt: Date; id: string }, b: { score: number; dueAt: Date; id: string }): number {
  return b.score - a.score || a.dueAt.getTime() - b.dueAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
