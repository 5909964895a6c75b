import { type UserError, userErrorsFromZod } from '@crm/service-kit';
import { z } from 'zod';

export interface SettingsChange {
  postLoanVisitDays: number | null;
}

/** Validates a settings change: the post-loan visit happens within 1 to 90 days of disbursement. */
export function validateSettingsChange(input: unknown): { ok: true; value: SettingsChange } | { ok: false; errors: UserError[] } {
  const schema = z.object({
    postLoanVisitDays: z
      .number()
      .int()
      .min(1)
      .max(90)
      .nullish()
      .transform((v) => v ?? null),
  });
  const parsed = schema.safeParse(input);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, errors: userErrorsFromZod(parsed.error) };
}
