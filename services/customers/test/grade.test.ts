import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { evaluateGrade, type GradeState } from '../src/domain/grade.ts';
import type { GradeThreshold } from '../src/domain/value-score.ts';

const thresholds: GradeThreshold[] = [
  { grade: 'VIP', minScore: '80' },
  { grade: 'PREMIUM', minScore: '60' },
  { grade: 'STANDARD', minScore: '40' },
  { grade: 'BASIC', minScore: '0' },
];
const premium: GradeState = { grade: 'PREMIUM', since: '2026-01-01', atRiskSince: null, atRiskUntil: null, projected: null };
const d = (v: string) => new Decimal(v);

describe('grade and downgrade prevention', () => {
  it('sets the first grade at once and upgrades at once', () => {
    const none: GradeState = { grade: null, since: null, atRiskSince: null, atRiskUntil: null, projected: null };
    expect(evaluateGrade(none, d('59.99'), thresholds, '2026-11-01', 30)).toMatchObject({
      action: 'INITIAL',
      next: { grade: 'STANDARD', since: '2026-11-01' },
    });
    expect(evaluateGrade(premium, d('80'), thresholds, '2026-11-01', 30)).toMatchObject({ action: 'UPGRADE', next: { grade: 'VIP' } });
  });

  it('opens a window under the floor, downgrades on its last day, and is repeatable', () => {
    const opened = evaluateGrade(premium, d('45'), thresholds, '2026-11-01', 30);
    expect(opened).toEqual({
      action: 'AT_RISK_OPENED',
      floor: '60',
      next: { ...premium, atRiskSince: '2026-11-01', atRiskUntil: '2026-12-01', projected: 'STANDARD' },
    });
    expect(evaluateGrade(opened.next, d('45'), thresholds, '2026-11-01', 30).action).toBe('NONE');
    expect(evaluateGrade(opened.next, d('45'), thresholds, '2026-11-30', 30).action).toBe('NONE');
    expect(evaluateGrade(opened.next, d('30'), thresholds, '2026-11-15', 30)).toMatchObject({ action: 'AT_RISK_UPDATED', next: { projected: 'BASIC' } });
    const down = evaluateGrade(opened.next, d('45'), thresholds, '2026-12-01', 30);
    expect(down).toMatchObject({ action: 'DOWNGRADE', next: { grade: 'STANDARD', since: '2026-12-01', atRiskUntil: null } });
    expect(evaluateGrade(down.next, d('45'), thresholds, '2026-12-01', 30).action).toBe('NONE');
  });

  it('cancels the window when the score recovers inside it', () => {
    const opened = evaluateGrade(premium, d('59.99'), thresholds, '2026-11-01', 30).next;
    expect(evaluateGrade(opened, d('60'), thresholds, '2026-11-20', 30)).toMatchObject({
      action: 'AT_RISK_CANCELLED',
      next: { grade: 'PREMIUM', atRiskUntil: null },
    });
  });

  it('downgrades at once with a zero-day window', () => {
    expect(evaluateGrade(premium, d('10'), thresholds, '2026-11-01', 0)).toMatchObject({ action: 'DOWNGRADE', next: { grade: 'BASIC' } });
  });
});
