import { type Validation, validateWith } from '@crm/service-kit';
import { z } from 'zod';

export interface SettingsChange {
  postLoanVisitDays: number | null;
}

/** Validates a settings change: the post-loan visit happens within 1 to 90 days of disbursement. */
export function validateSettingsChange(input: unknown): Validation<SettingsChange> {
  const schema = z.object({
    postLoanVisitDays: z
      .number()
      .int()
      .min(1)
      .max(90)
      .nullish()
      .transform((v) => v ?? null),
  });
  return validateWith(schema, input);
}
