import { type UserError, userErrorsFromZod } from '@crm/service-kit';
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { DAY_MS, HOUR_MS } from './dates.ts';
import type { ComplaintCategory, ComplaintKind, ComplaintSeverity, ComplaintStatus, InteractionChannel } from './types.ts';

/** The service level of a severity: acknowledge within hours, resolve within days (a table row). */
export interface ComplaintSlaPolicy {
  acknowledgeHours: number;
  resolveDays: number;
}

/** Both SLA deadlines run from the moment the complaint was received. */
export function slaDeadlines(receivedAt: Date, sla: ComplaintSlaPolicy): { acknowledgeDueAt: Date; resolveDueAt: Date } {
  return {
    acknowledgeDueAt: new Date(receivedAt.getTime() + sla.acknowledgeHours * HOUR_MS),
    resolveDueAt: new Date(receivedAt.getTime() + sla.resolveDays * DAY_MS),
  };
}

/** A reopened complaint gets a fresh resolution clock from the moment it was reopened. */
export function reopenedResolveDueAt(reopenedAt: Date, sla: ComplaintSlaPolicy): Date {
  return new Date(reopenedAt.getTime() + sla.resolveDays * DAY_MS);
}

/** Resolved in time: at or before the resolution deadline. */
export function resolvedWithinSla(resolvedAt: Date, resolveDueAt: Date): boolean {
  return resolvedAt.getTime() <= resolveDueAt.getTime();
}

/** Statuses in which the complaint still waits for a resolution (the resolve SLA runs). */
export const UNRESOLVED_STATUSES: ComplaintStatus[] = ['RECEIVED', 'ACKNOWLEDGED', 'IN_PROGRESS', 'REOPENED'];

/** The workflow: received -> acknowledged -> in progress -> resolved -> closed, with reopening. */
const COMPLAINT_TRANSITIONS: Record<ComplaintStatus, ComplaintStatus[]> = {
  RECEIVED: ['ACKNOWLEDGED'],
  ACKNOWLEDGED: ['IN_PROGRESS', 'RESOLVED'],
  IN_PROGRESS: ['RESOLVED'],
  RESOLVED: ['CLOSED', 'REOPENED'],
  CLOSED: ['REOPENED'],
  REOPENED: ['IN_PROGRESS', 'RESOLVED'],
};

export function checkComplaintTransition(from: ComplaintStatus, to: ComplaintStatus, field = 'status'): UserError | null {
  if (COMPLAINT_TRANSITIONS[from].includes(to)) return null;
  return { field, code: 'INVALID_COMPLAINT_TRANSITION', message: `A complaint in status ${from} cannot move to ${to}` };
}

export interface NewComplaint {
  customerId: string;
  kind: ComplaintKind;
  category: ComplaintCategory;
  severity: ComplaintSeverity;
  channel: InteractionChannel;
  description: string;
  assigneeId: string | null;
  receivedAt: Date;
}

const FUTURE_TOLERANCE_MS = 5 * 60_000;

export function validateNewComplaint(input: unknown, now: Date): { ok: true; value: NewComplaint } | { ok: false; errors: UserError[] } {
  const schema = z.object({
    customerId: z.string().min(1),
    kind: z.enum(['COMPLAINT', 'SUGGESTION', 'PRAISE']),
    category: z.enum(['SERVICE_ATTITUDE', 'FEES', 'PROCESS', 'COLLECTION_CONDUCT', 'PRODUCT', 'PRIVACY', 'OTHER']),
    severity: z.enum(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']),
    channel: z.enum(['PHONE', 'SMS', 'EMAIL', 'APP', 'MESSAGING', 'VISIT', 'BRANCH', 'SOCIAL']),
    description: z.string().trim().min(1, 'must not be blank').max(8000, 'must be at most 8000 characters'),
    assigneeId: z
      .string()
      .nullish()
      .transform((v) => v || null),
    receivedAt: z
      .date()
      .nullish()
      .transform((v) => v ?? now)
      .refine((d) => d.getTime() <= now.getTime() + FUTURE_TOLERANCE_MS, { message: 'cannot be in the future', params: { code: 'DATE_IN_FUTURE' } }),
  });
  const parsed = schema.safeParse(input);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, errors: userErrorsFromZod(parsed.error) };
}

/** Minor units of the currencies whose minor unit is not the usual cent (ISO 4217). */
const MINOR_UNITS: Record<string, number> = { XOF: 0, XAF: 0, JPY: 0, KRW: 0, RWF: 0, UGX: 0, KWD: 3, BHD: 3, TND: 3 };

export function minorUnitsOf(currency: string): number {
  return MINOR_UNITS[currency] ?? 2;
}

export interface Resolution {
  resolution: string;
  /** Rounded to the currency's minor unit with ROUND_HALF_EVEN (banker's rounding), as a decimal string. */
  compensation: string | null;
  currency: string | null;
}

/** A resolution text, and a compensation that is not negative and comes with its currency. */
export function validateResolution(input: {
  resolution: string;
  compensation?: Decimal | null;
  currency?: string | null;
}): { ok: true; value: Resolution } | { ok: false; errors: UserError[] } {
  const errors: UserError[] = [];
  const resolution = input.resolution.trim();
  if (!resolution) errors.push({ field: 'resolution', code: 'TOO_SMALL', message: 'must not be blank' });
  const currency = input.currency?.trim() || null;
  if (currency !== null && !/^[A-Z]{3}$/.test(currency))
    errors.push({ field: 'currency', code: 'INVALID_CURRENCY', message: 'must be an ISO 4217 code such as XOF' });
  let compensation: string | null = null;
  if (input.compensation) {
    if (input.compensation.isNegative()) errors.push({ field: 'compensation', code: 'NEGATIVE_AMOUNT', message: 'must not be negative' });
    if (currency === null) errors.push({ field: 'currency', code: 'REQUIRED', message: 'is required with a compensation' });
    else compensation = new Decimal(input.compensation).toDecimalPlaces(minorUnitsOf(currency), Decimal.ROUND_HALF_EVEN).toFixed(minorUnitsOf(currency));
  }
  if (errors.length) return { ok: false, errors };
  return { ok: true, value: { resolution: resolution.slice(0, 8000), compensation, currency: compensation === null ? null : currency } };
}

/** A run for a date looks at deadlines missed by the end of that date, never beyond now. */
export function slaCutoff(asOfEnd: Date, now: Date): Date {
  return asOfEnd.getTime() < now.getTime() ? asOfEnd : now;
}
