import { HOUR_MS, type UserError, type Validation, validateWith } from '@crm/service-kit';
import { z } from 'zod';

/**
 * Expert help for officers (issue 15): the expert directory, and consultations with their due time
 * and overdue rule. Pure rules; db/expert.store.ts and db/consultation.store.ts build their SQL from
 * the constants here.
 */

export type ExpertField = 'INDUSTRY' | 'LEGAL' | 'COLLATERAL_VALUATION' | 'RESTRUCTURING';
export type ConsultationStatus = 'OPEN' | 'ANSWERED' | 'CANCELLED';

export const EXPERT_FIELDS = ['INDUSTRY', 'LEGAL', 'COLLATERAL_VALUATION', 'RESTRUCTURING'] as const satisfies readonly ExpertField[];

/** Hours an expert has to answer, per field, until changed (seeded by migration 0041 into consultation_due_time). */
export const DEFAULT_CONSULTATION_DUE_HOURS: Record<ExpertField, number> = {
  INDUSTRY: 48,
  LEGAL: 72,
  COLLATERAL_VALUATION: 120,
  RESTRUCTURING: 48,
};

export const MAX_DUE_HOURS = 8760;

/** The statuses in which a consultation waits for its answer (and may fall overdue). */
export const OPEN_CONSULTATION_STATUSES: readonly ConsultationStatus[] = ['OPEN'];

/** The due time of a consultation: the field's hours after it was asked. */
export function consultationDueAt(requestedAt: Date, dueHours: number): Date {
  return new Date(requestedAt.getTime() + dueHours * HOUR_MS);
}

/**
 * Overdue: still waiting for its answer after the due time. The `overdue` filter of
 * consultation.store.ts is the same rule in SQL (same status list, `due_at < now`).
 */
export function isConsultationOverdue(c: { status: ConsultationStatus; dueAt: Date }, now: Date): boolean {
  return OPEN_CONSULTATION_STATUSES.includes(c.status) && c.dueAt.getTime() < now.getTime();
}

/** Answered by the due time (ConsultationAnswered.withinDue). */
export const answeredWithinDue = (answeredAt: Date, dueAt: Date) => answeredAt.getTime() <= dueAt.getTime();

const nameText = z.string().trim().min(1, 'must not be blank').max(200, 'must be at most 200 characters');
const fieldList = z
  .array(z.enum(EXPERT_FIELDS))
  .min(1, 'at least one field')
  .transform((fields) => EXPERT_FIELDS.filter((f) => fields.includes(f)));

export interface NewExpert {
  userId: string;
  name: string;
  fields: ExpertField[];
  branchId: string | null;
}

export function validateNewExpert(input: unknown): Validation<NewExpert> {
  return validateWith(
    z.object({
      userId: z.string().trim().min(1, 'must not be blank').max(200, 'must be at most 200 characters'),
      name: nameText,
      fields: fieldList,
      branchId: z
        .string()
        .nullish()
        .transform((v) => v || null),
    }),
    input,
  );
}

export interface ExpertChange {
  name?: string;
  fields?: ExpertField[];
  active?: boolean;
}

export function validateExpertChange(input: unknown): Validation<ExpertChange> {
  const parsed = validateWith(z.object({ name: nameText.nullish(), fields: fieldList.nullish(), active: z.boolean().nullish() }), input);
  if (!parsed.ok) return parsed;
  const change: ExpertChange = {};
  if (parsed.value.name != null) change.name = parsed.value.name;
  if (parsed.value.fields != null) change.fields = parsed.value.fields;
  if (parsed.value.active != null) change.active = parsed.value.active;
  if (!Object.keys(change).length) return { ok: false, errors: [{ field: null, code: 'REQUIRED', message: 'Give at least one field to change' }] };
  return { ok: true, value: change };
}

export function validateDueHours(hours: number): UserError | null {
  if (!Number.isInteger(hours) || hours < 1) return { field: 'dueWithinHours', code: 'TOO_SMALL', message: 'must be at least 1 hour' };
  if (hours > MAX_DUE_HOURS) return { field: 'dueWithinHours', code: 'TOO_BIG', message: `must be at most ${MAX_DUE_HOURS} hours (a year)` };
  return null;
}

export interface NewConsultation {
  expertId: string;
  customerId: string;
  loanId: string | null;
  field: ExpertField;
  question: string;
}

export function validateNewConsultation(input: unknown): Validation<NewConsultation> {
  return validateWith(
    z.object({
      expertId: z.string().min(1),
      customerId: z.string().min(1),
      loanId: z
        .string()
        .trim()
        .max(200, 'must be at most 200 characters')
        .nullish()
        .transform((v) => v || null),
      field: z.enum(EXPERT_FIELDS),
      question: z.string().trim().min(1, 'must not be blank').max(4000, 'must be at most 4000 characters'),
    }),
    input,
  );
}

/** What may be asked of an expert: active, covering the field. */
export function checkExpertCanAnswer(expert: { active: boolean; fields: readonly ExpertField[] }, field: ExpertField): UserError | null {
  if (!expert.active) return { field: 'expertId', code: 'EXPERT_INACTIVE', message: 'The expert is no longer in the directory' };
  if (!expert.fields.includes(field)) return { field: 'field', code: 'FIELD_NOT_COVERED', message: `The expert does not cover ${field}` };
  return null;
}

/** A consultation is answered or cancelled once, while OPEN. */
export function checkConsultationOpen(status: ConsultationStatus): UserError | null {
  if (OPEN_CONSULTATION_STATUSES.includes(status)) return null;
  return { field: 'consultationId', code: 'CONSULTATION_NOT_OPEN', message: `The consultation is already ${status.toLowerCase()}` };
}
