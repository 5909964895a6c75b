import type { z } from 'zod';
import { type UserError, userErrorsFromZod } from './errors.ts';

/** What a domain validation answers: the checked value, or the rule failures for the payload's `userErrors`. */
export type Validation<T> = { ok: true; value: T } | { ok: false; errors: UserError[] };

export const valid = <T>(value: T): Validation<T> => ({ ok: true, value });
export const invalid = <T = never>(errors: UserError[]): Validation<T> => ({ ok: false, errors });

/** Parses an input with a zod schema into a Validation (zod issues become user errors naming the field). */
export function validateWith<T>(schema: z.ZodType<T>, input: unknown): Validation<T> {
  const parsed = schema.safeParse(input);
  return parsed.success ? valid(parsed.data) : invalid(userErrorsFromZod(parsed.error));
}
