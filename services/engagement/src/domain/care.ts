import { type Validation, validateWith } from '@crm/service-kit';
import { z } from 'zod';

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * Birthdays (as MM-DD) greeted on a date: the date's own, plus 29 February on 28 February of a
 * year without one.
 */
export function birthdayKeysOn(date: string): string[] {
  const monthDay = date.slice(5);
  const year = Number.parseInt(date.slice(0, 4), 10);
  return monthDay === '02-28' && !isLeapYear(year) ? ['02-28', '02-29'] : [monthDay];
}

export interface NewCareEvent {
  title: string;
  kind: 'EDUCATION_TALK' | 'APPRECIATION_DAY' | 'OTHER';
  branchId: string | null;
  location: string | null;
  startsAt: Date;
  capacity: number | null;
}

export function validateCareEvent(input: unknown, now: Date): Validation<NewCareEvent> {
  const schema = z.object({
    title: z.string().trim().min(1, 'must not be blank').max(200),
    kind: z.enum(['EDUCATION_TALK', 'APPRECIATION_DAY', 'OTHER']),
    branchId: z
      .string()
      .nullish()
      .transform((v) => v || null),
    location: z
      .string()
      .trim()
      .max(500)
      .nullish()
      .transform((v) => v || null),
    startsAt: z.date().refine((d) => d.getTime() > now.getTime(), { message: 'must be in the future', params: { code: 'DATE_IN_PAST' } }),
    capacity: z
      .number()
      .int()
      .min(1)
      .nullish()
      .transform((v) => v ?? null),
  });
  return validateWith(schema, input);
}

/** Seats left for new invitations: an event without a capacity has no limit. */
export function fitsCapacity(capacity: number | null, alreadyInvited: number, newInvitations: number): boolean {
  return capacity === null || alreadyInvited + newInvitations <= capacity;
}
