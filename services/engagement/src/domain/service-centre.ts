import { type KpiDefinition, type UserError, type Validation, validateWith } from '@crm/service-kit';
import { z } from 'zod';
import { INTERACTION_CHANNELS, type InteractionChannel } from './types.ts';

/**
 * The service centre (issue 15): knowledge-base articles, enquiries answered from them or handed
 * over as leads, and when a lead counts as converted. Pure rules; the stores (db/knowledge.store.ts,
 * db/enquiry.store.ts, db/lead.store.ts) build their SQL from the constants here.
 */

export type ArticleStatus = 'ACTIVE' | 'RETIRED';
export type EnquiryStatus = 'OPEN' | 'ANSWERED' | 'HANDED_OVER';
export type LeadKind = 'NEW_LOAN' | 'TOP_UP' | 'RESTRUCTURING' | 'COMPLAINT' | 'OTHER';
export type LeadStatus = 'OPEN' | 'CONTACTED' | 'CONVERTED' | 'LOST';

const FUTURE_TOLERANCE_MS = 5 * 60_000;

// ---- knowledge base ----

export const MAX_TAGS = 20;

export interface ArticleFields {
  question: string;
  answer: string;
  product: string | null;
  tags: string[];
}

const questionText = z.string().trim().min(1, 'must not be blank').max(1000, 'must be at most 1000 characters');
const answerText = z.string().trim().min(1, 'must not be blank').max(4000, 'must be at most 4000 characters');
const productCode = z.string().trim().max(80, 'must be at most 80 characters');
/** Tags are kept lower-case, trimmed, without repeats (a tag filter is case-insensitive). */
const tagList = z
  .array(z.string().trim().min(1, 'must not be blank').max(40, 'must be at most 40 characters'))
  .max(MAX_TAGS, `at most ${MAX_TAGS} tags`)
  .transform((tags) => [...new Set(tags.map((t) => t.toLowerCase()))]);

export function validateNewArticle(input: unknown): Validation<ArticleFields> {
  return validateWith(
    z.object({
      question: questionText,
      answer: answerText,
      product: productCode.nullish().transform((v) => v || null),
      tags: tagList.nullish().transform((v) => v ?? []),
    }),
    input,
  );
}

/** The fields an update changes (absent = unchanged; a blank product clears it). */
export function validateArticleChange(input: unknown): Validation<Partial<ArticleFields>> {
  const parsed = validateWith(
    z.object({
      question: questionText.nullish(),
      answer: answerText.nullish(),
      product: productCode.nullish(),
      tags: tagList.nullish(),
    }),
    input,
  );
  if (!parsed.ok) return parsed;
  const v = parsed.value;
  const change: Partial<ArticleFields> = {};
  if (v.question != null) change.question = v.question;
  if (v.answer != null) change.answer = v.answer;
  if (v.product !== undefined && v.product !== null) change.product = v.product || null;
  if (v.tags != null) change.tags = v.tags;
  if (!Object.keys(change).length) return { ok: false, errors: [{ field: null, code: 'REQUIRED', message: 'Give at least one field to change' }] };
  return { ok: true, value: change };
}

/** At most this many words of a search are used. */
export const MAX_SEARCH_TERMS = 12;

/**
 * The words of a knowledge-base search, lower-case letters and digits only (any script), at most
 * MAX_SEARCH_TERMS: each becomes a prefix term of a `to_tsquery('simple', ...)`, joined by OR, so an
 * article matching more words of the question ranks higher (`ts_rank`). Only these characters reach
 * the query text, so no search can break the tsquery syntax.
 */
export function searchTerms(search: string): string[] {
  const words = search.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(words)].slice(0, MAX_SEARCH_TERMS);
}

/** The tsquery text of a search (`word1:* | word2:*`), null when it holds no word. */
export function searchQuery(search: string): string | null {
  const terms = searchTerms(search);
  return terms.length ? terms.map((t) => `${t}:*`).join(' | ') : null;
}

// ---- enquiries ----

export interface NewEnquiry {
  customerId: string | null;
  prospectName: string | null;
  prospectPhone: string | null;
  branchId: string | null;
  channel: InteractionChannel;
  question: string;
  receivedAt: Date;
}

/** A customer's enquiry (customerId), or a prospect's (a name, optionally a phone): exactly one of them. */
export function validateNewEnquiry(input: unknown, now: Date): Validation<NewEnquiry> {
  const optionalText = (max: number) =>
    z
      .string()
      .trim()
      .max(max, `must be at most ${max} characters`)
      .nullish()
      .transform((v) => v || null);
  const parsed = validateWith(
    z.object({
      customerId: z
        .string()
        .nullish()
        .transform((v) => v || null),
      prospectName: optionalText(200),
      prospectPhone: z
        .string()
        .trim()
        .regex(/^\+?[0-9 ()-]{6,20}$/, 'must be a phone number')
        .nullish()
        .transform((v) => v || null),
      branchId: z
        .string()
        .nullish()
        .transform((v) => v || null),
      channel: z.enum(INTERACTION_CHANNELS),
      question: z.string().trim().min(1, 'must not be blank').max(4000, 'must be at most 4000 characters'),
      receivedAt: z
        .date()
        .nullish()
        .transform((v) => v ?? now)
        .refine((d) => d.getTime() <= now.getTime() + FUTURE_TOLERANCE_MS, { message: 'cannot be in the future', params: { code: 'DATE_IN_FUTURE' } }),
    }),
    input,
  );
  if (!parsed.ok) return parsed;
  const e = parsed.value;
  const errors: UserError[] = [];
  if (e.customerId && (e.prospectName || e.prospectPhone))
    errors.push({ field: 'prospectName', code: 'INCOMPLETE', message: 'Give a customer or a prospect, not both' });
  if (!e.customerId && !e.prospectName) errors.push({ field: 'customerId', code: 'INCOMPLETE', message: "Give the customer, or the prospect's name" });
  return errors.length ? { ok: false, errors } : { ok: true, value: e };
}

/** An enquiry is answered or handed over once, while OPEN. */
export function checkEnquiryOpen(status: EnquiryStatus): UserError | null {
  if (status === 'OPEN') return null;
  return { field: 'enquiryId', code: 'ENQUIRY_CLOSED', message: `The enquiry is already ${status === 'ANSWERED' ? 'answered' : 'handed over'}` };
}

/** An answer: an article, the agent's own words, or both. */
export function validateAnswer(input: { articleId?: string | null; answer?: string | null }): Validation<{ articleId: string | null; answer: string | null }> {
  const articleId = input.articleId || null;
  const answer = input.answer?.trim() || null;
  if (!articleId && !answer)
    return { ok: false, errors: [{ field: 'articleId', code: 'INCOMPLETE', message: 'Answer from an article, in your own words, or both' }] };
  if (answer && answer.length > 4000) return { ok: false, errors: [{ field: 'answer', code: 'TOO_BIG', message: 'must be at most 4000 characters' }] };
  return { ok: true, value: { articleId, answer } };
}

// ---- leads ----

export const LEAD_KINDS: readonly LeadKind[] = ['NEW_LOAN', 'TOP_UP', 'RESTRUCTURING', 'COMPLAINT', 'OTHER'];

/** The statuses a lead is still being worked in: it may still convert or be lost. */
export const WORKED_LEAD_STATUSES: readonly LeadStatus[] = ['OPEN', 'CONTACTED'];

/** Leads a loan application converts (LoanApplied); the KPI LEAD_CONVERSION_RATE counts these kinds. */
export const APPLICATION_LEAD_KINDS: readonly LeadKind[] = ['NEW_LOAN', 'TOP_UP'];

/** Leads a restructuring request converts (RestructuringRequested). */
export const RESTRUCTURING_LEAD_KINDS: readonly LeadKind[] = ['RESTRUCTURING'];

/** What an owner may do by hand: contact, or close as lost. CONVERTED comes from credit's events or a complaint. */
const MANUAL_LEAD_TRANSITIONS: Record<LeadStatus, LeadStatus[]> = {
  OPEN: ['CONTACTED', 'LOST'],
  CONTACTED: ['LOST'],
  CONVERTED: [],
  LOST: [],
};

export function checkLeadTransition(from: LeadStatus, to: LeadStatus): UserError | null {
  if (MANUAL_LEAD_TRANSITIONS[from].includes(to)) return null;
  if (to === 'CONVERTED')
    return {
      field: 'status',
      code: 'INVALID_LEAD_TRANSITION',
      message: "A lead converts when credit records the customer's application (or a complaint is opened from it), not by hand",
    };
  return { field: 'status', code: 'INVALID_LEAD_TRANSITION', message: `A lead in status ${from} cannot move to ${to}` };
}

/** LOST needs its outcome (why); CONTACTED may carry one. */
export function validateLeadOutcome(to: LeadStatus, outcome: string | null | undefined): Validation<string | null> {
  const text = outcome?.trim() || null;
  if (to === 'LOST' && !text) return { ok: false, errors: [{ field: 'outcome', code: 'REQUIRED', message: 'Say why the lead was lost' }] };
  if (text && text.length > 2000) return { ok: false, errors: [{ field: 'outcome', code: 'TOO_BIG', message: 'must be at most 2000 characters' }] };
  return { ok: true, value: text };
}

/** What the conversion rule looks at of a lead. */
export interface LeadConversionState {
  kind: LeadKind;
  status: LeadStatus;
  createdAt: Date;
}

/**
 * Whether credit's event of `at` converts a lead: a loan application converts the customer's loan
 * leads (NEW_LOAN, TOP_UP), a restructuring request their RESTRUCTURING leads, when the lead is
 * still being worked and was created before (or at) the event. The SQL of the handler
 * (lead.store.ts#convertLeads) is built from the same constants.
 */
export function convertsLead(lead: LeadConversionState, by: 'APPLICATION' | 'RESTRUCTURING', at: Date): boolean {
  const kinds = by === 'APPLICATION' ? APPLICATION_LEAD_KINDS : RESTRUCTURING_LEAD_KINDS;
  return kinds.includes(lead.kind) && WORKED_LEAD_STATUSES.includes(lead.status) && lead.createdAt.getTime() <= at.getTime();
}

/** The KPI of the service centre (part of engagementKpi): formula as data, SQL in db/lead.store.ts. */
export const SERVICE_CENTRE_KPIS = {
  LEAD_CONVERSION_RATE: {
    metric: 'LEAD_CONVERSION_RATE',
    formula:
      "Share of the loan leads (kind NEW_LOAN or TOP_UP) created in the period that converted into a loan application: denominator = those leads; numerator = those of them CONVERTED (credit recorded a loan application of the customer after the lead was created, as of now); value = numerator / denominator. MONTH is the month the lead was created; BRANCH the lead's branch; OFFICER the lead's owner.",
    dimensions: ['BRANCH', 'OFFICER', 'MONTH'],
    kind: 'RATIO',
  },
} as const satisfies Record<string, KpiDefinition>;
