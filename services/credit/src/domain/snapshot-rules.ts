import { Decimal } from 'decimal.js';
import { incomeDrop } from './warnings.ts';

export interface SnapshotIndicators {
  incomeChangeRatio: string | null;
  monthlyIncome: string | null;
  previousMonthlyIncome: string | null;
  externalCreditScore: number | null;
  previousExternalCreditScore: number | null;
  asOf: string;
}

export interface SnapshotRule {
  code: string;
  kind: 'SCORE_DROP' | 'INCOME_DROP';
  threshold: string | null;
}

/**
 * Which snapshot rules fire and the indicator values that explain them: SCORE_DROP when the
 * external score fell by at least `threshold` points, INCOME_DROP when income fell by at least
 * `threshold` (a fraction: 0.30 is a 30 % drop).
 */
export function firedSnapshotRules(s: SnapshotIndicators, rules: SnapshotRule[]): { code: string; indicators: Record<string, string | number | null> }[] {
  const out: { code: string; indicators: Record<string, string | number | null> }[] = [];
  for (const r of rules) {
    if (r.threshold === null) continue;
    if (r.kind === 'SCORE_DROP' && s.externalCreditScore !== null && s.previousExternalCreditScore !== null) {
      const drop = s.previousExternalCreditScore - s.externalCreditScore;
      if (new Decimal(drop).gte(r.threshold)) {
        out.push({
          code: r.code,
          indicators: {
            scoreDrop: drop,
            externalCreditScore: s.externalCreditScore,
            previousExternalCreditScore: s.previousExternalCreditScore,
            threshold: r.threshold,
            asOf: s.asOf,
          },
        });
      }
    }
    if (r.kind === 'INCOME_DROP') {
      const drop = incomeDrop(s.incomeChangeRatio);
      if (drop !== null && new Decimal(drop).gte(r.threshold)) {
        out.push({
          code: r.code,
          indicators: {
            incomeDrop: drop,
            monthlyIncome: s.monthlyIncome,
            previousMonthlyIncome: s.previousMonthlyIncome,
            threshold: r.threshold,
            asOf: s.asOf,
          },
        });
      }
    }
  }
  return out;
}
