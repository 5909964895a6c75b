import { type Validation, validateWith } from '@crm/service-kit';
import { z } from 'zod';
import { INTERACTION_CHANNELS, type InteractionChannel, type InteractionDirection, type InteractionPurpose } from './types.ts';

export interface InteractionRecord {
  customerId: string;
  channel: InteractionChannel;
  direction: InteractionDirection;
  purpose: InteractionPurpose;
  summary: string;
  outcome: string | null;
  occurredAt: Date;
}

/** Five minutes of clock skew between a handset and the server are tolerated. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

/** Validates a contact to log; `now` bounds its time. */
export function validateInteraction(input: unknown, now: Date): Validation<InteractionRecord> {
  const schema = z.object({
    customerId: z.string().min(1),
    channel: z.enum(INTERACTION_CHANNELS),
    direction: z.enum(['INBOUND', 'OUTBOUND']),
    purpose: z.enum(['WELCOME', 'POST_LOAN_FOLLOW_UP', 'COLLECTION_REMINDER', 'CARE', 'SERVICE', 'SURVEY', 'MARKETING']),
    summary: z.string().trim().min(1, 'must not be blank').max(4000, 'must be at most 4000 characters'),
    outcome: z
      .string()
      .trim()
      .max(1000)
      .nullish()
      .transform((v) => v || null),
    occurredAt: z
      .date()
      .nullish()
      .transform((v) => v ?? now)
      .refine((d) => d.getTime() <= now.getTime() + FUTURE_TOLERANCE_MS, { message: 'cannot be in the future', params: { code: 'DATE_IN_FUTURE' } }),
  });
  return validateWith(schema, input);
}
