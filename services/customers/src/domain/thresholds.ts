import { invalid, type UserError, type Validation, valid } from '@crm/service-kit';
import type { Decimal } from 'decimal.js';
import { GRADES_HIGH_TO_LOW, type Grade, type GradeThreshold } from './value-score.ts';

/** One floor per grade, 0-100 with at most 2 decimals, BASIC at 0, strictly rising with the grade. */
export function validateThresholds(input: readonly { grade: Grade; minScore: Decimal }[]): Validation<GradeThreshold[]> {
  const errors: UserError[] = [];
  input.forEach((t, i) => {
    if (t.minScore.isNegative() || t.minScore.gt(100) || t.minScore.decimalPlaces() > 2)
      errors.push({ field: `thresholds.${i}.minScore`, message: 'must be between 0 and 100 with at most 2 decimals', code: 'OUT_OF_RANGE' });
  });
  for (const grade of GRADES_HIGH_TO_LOW) {
    const count = input.filter((t) => t.grade === grade).length;
    if (count !== 1) errors.push({ field: 'thresholds', message: `${grade} needs exactly one floor (got ${count})`, code: 'ONE_PER_GRADE' });
  }
  if (errors.length) return invalid(errors);
  const ordered = GRADES_HIGH_TO_LOW.map((g) => input.find((t) => t.grade === g)).filter((t) => t !== undefined);
  if (!ordered.at(-1)?.minScore.isZero()) errors.push({ field: 'thresholds', message: 'BASIC starts at 0', code: 'BASIC_MUST_START_AT_ZERO' });
  for (let i = 1; i < ordered.length; i++) {
    const higher = ordered[i - 1];
    const lower = ordered[i];
    if (higher && lower && !higher.minScore.gt(lower.minScore))
      errors.push({ field: 'thresholds', message: `${higher.grade} must start above ${lower.grade}`, code: 'NOT_ASCENDING' });
  }
  if (errors.length) return invalid(errors);
  return valid(ordered.map((t) => ({ grade: t.grade, minScore: t.minScore.toFixed(2) })));
}
