import { DAY_MS, DEFAULT_MINOR_UNITS, HOUR_MS, isCurrencyCode, minorUnits, type UserError, type Validation, validateWith } from '@crm/service-kit';
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import {
  type ComplaintCategory,
  type ComplaintKind,
  type ComplaintSeverity,
  type ComplaintStatus,
  INTERACTION_CHANNELS,
  type InteractionChannel,
} from './types.ts';

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

/** Only complaints have service levels (suggestions and praise do not). */
export const SLA_KINDS: readonly ComplaintKind[] = ['COMPLAINT'];

/** Statuses in which the complaint still waits for an acknowledgement (the acknowledge SLA runs). */
export const UNACKNOWLEDGED_STATUSES: readonly ComplaintStatus[] = ['RECEIVED'];

/** Statuses in which the complaint still waits for a resolution (the resolve SLA runs). */
export const UNRESOLVED_STATUSES: readonly ComplaintStatus[] = ['RECEIVED', 'ACKNOWLEDGED', 'IN_PROGRESS', 'REOPENED'];

export type SlaBreach = 'ACKNOWLEDGE' | 'RESOLVE';

/** What the SLA escalation looks at of a complaint. */
export interface ComplaintSlaState {
  kind: ComplaintKind;
  status: ComplaintStatus;
  acknowledgeDueAt: Date;
  resolveDueAt: Date;
  acknowledgeEscalatedAt: Date | null;
  resolveEscalatedAt: Date | null;
}

/**
 * The breaches of a complaint to escalate as of `cutoff` (each once): still unacknowledged past
 * the acknowledgement deadline, still unresolved past the resolution deadline. The set-wise SQL of
 * the job (`complaint.store.ts#escalateSlaBreaches`) is built from the same constants and tested
 * against this function over generated complaints.
 */
export function slaBreachesToEscalate(c: ComplaintSlaState, cutoff: Date): SlaBreach[] {
  if (!SLA_KINDS.includes(c.kind)) return [];
  const breaches: SlaBreach[] = [];
  if (UNACKNOWLEDGED_STATUSES.includes(c.status) && c.acknowledgeDueAt.getTime() < cutoff.getTime() && c.acknowledgeEscalatedAt === null)
    breaches.push('ACKNOWLEDGE');
  if (UNRESOLVED_STATUSES.includes(c.status) && c.resolveDueAt.getTime() < cutoff.getTime() && c.resolveEscalatedAt === null) breaches.push('RESOLVE');
  return breaches;
}

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

export function validateNewComplaint(input: unknown, now: Date): Validation<NewComplaint> {
  const schema = z.object({
    customerId: z.string().min(1),
    kind: z.enum(['COMPLAINT', 'SUGGESTION', 'PRAISE']),
    category: z.enum(['SERVICE_ATTITUDE', 'FEES', 'PROCESS', 'COLLECTION_CONDUCT', 'PRODUCT', 'PRIVACY', 'OTHER']),
    severity: z.enum(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']),
    channel: z.enum(INTERACTION_CHANNELS),
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
  return validateWith(schema, input);
}

export interface Resolution {
  resolution: string;
  /** Rounded to the currency's minor unit with ROUND_HALF_EVEN (banker's rounding), as a decimal string. */
  compensation: string | null;
  currency: string | null;
}

/** A resolution text, and a compensation that is not negative and comes with its currency. */
export function validateResolution(input: { resolution: string; compensation?: Decimal | null; currency?: string | null }): Validation<Resolution> {
  const errors: UserError[] = [];
  const resolution = input.resolution.trim();
  if (!resolution) errors.push({ field: 'resolution', code: 'TOO_SMALL', message: 'must not be blank' });
  const currency = input.currency?.trim() || null;
  if (currency !== null && !isCurrencyCode(currency))
    errors.push({ field: 'currency', code: 'INVALID_CURRENCY', message: 'must be an ISO 4217 code such as XOF' });
  let compensation: string | null = null;
  if (input.compensation) {
    if (input.compensation.isNegative()) errors.push({ field: 'compensation', code: 'NEGATIVE_AMOUNT', message: 'must not be negative' });
    if (currency === null) errors.push({ field: 'currency', code: 'REQUIRED', message: 'is required with a compensation' });
    else {
      const scale = minorUnits(currency) ?? DEFAULT_MINOR_UNITS;
      compensation = new Decimal(input.compensation).toDecimalPlaces(scale, Decimal.ROUND_HALF_EVEN).toFixed(scale);
    }
  }
  if (errors.length) return { ok: false, errors };
  return { ok: true, value: { resolution: resolution.slice(0, 8000), compensation, currency: compensation === null ? null : currency } };
}

/** A run for a date looks at deadlines missed by the end of that date, never beyond now. */
export function slaCutoff(asOfEnd: Date, now: Date): Date {
  return asOfEnd.getTime() < now.getTime() ? asOfEnd : now;
}
