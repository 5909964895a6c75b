import { DAY_MS, endOfDate, startOfDate, type UserError, type Validation, validateWith } from '@crm/service-kit';
import { z } from 'zod';
import type { InteractionChannel, InteractionPurpose, NotificationChannel, NotificationKind, NotificationReason } from './types.ts';

/**
 * Customer notifications (issue 15): which channel and language a notification takes, how its
 * text is rendered, when it may go out (quiet hours, retries, expiry) and why it is suppressed.
 * Pure rules; the queueing and dispatch commands apply them.
 */

export const NOTIFICATION_KINDS: readonly NotificationKind[] = ['DUE_REMINDER', 'OVERDUE_NOTICE', 'POINTS_EXPIRY', 'CRISIS_RELIEF'];
export const NOTIFICATION_CHANNELS: readonly NotificationChannel[] = ['SMS', 'EMAIL', 'PUSH', 'LETTER'];
/** Customers' consent purposes a kind may require (customers' catalogue). */
export const CONSENT_PURPOSES = ['MARKETING_CONTACT', 'DATA_SHARING', 'PROFILING'] as const;

/** The notification settings (engagement_setting keys) with their defaults; migration 0020 seeds the same values. */
export const NOTIFICATION_SETTING_DEFAULTS = {
  notification_default_language: 'en',
  notification_time_zone: 'UTC',
  notification_quiet_start: '21:00',
  notification_quiet_end: '08:00',
  notification_max_attempts: '5',
  notification_retry_minutes: '15',
};

/** Who the interactions of sent notifications are recorded by (they are automated: churn signals leave them out). */
export const NOTIFICATION_STAFF_ID = 'system:notifications';

/** The placeholders (`{{name}}`) each kind's templates may use. */
export const TEMPLATE_PARAMS: Record<NotificationKind, readonly string[]> = {
  DUE_REMINDER: ['customerName', 'loanId', 'instalmentNumber', 'dueDate', 'amountDue', 'currency'],
  OVERDUE_NOTICE: ['customerName', 'loanId', 'instalmentNumber', 'dueDate', 'daysPastDue', 'amountOverdue', 'currency'],
  POINTS_EXPIRY: ['customerName', 'points', 'expiresOn'],
  // a crisis measure's relief on a loan (issue 15): its name and what it grants
  CRISIS_RELIEF: ['customerName', 'loanId', 'measureName', 'relief'],
};

/** The channel when the customer stated no preference (or one no notification channel serves). */
export const DEFAULT_CHANNEL: NotificationChannel = 'SMS';

/**
 * The customers' preferred contact channels (customers' ContactChannel) as notification
 * channels: a phone or messaging preference gets SMS, e-mail gets EMAIL, the app gets PUSH.
 * VISIT and BRANCH (in person) have no automated equivalent: SMS.
 */
const CHANNEL_OF_PREFERENCE: Record<string, NotificationChannel> = { SMS: 'SMS', PHONE: 'SMS', MESSAGING: 'SMS', EMAIL: 'EMAIL', APP: 'PUSH' };

/** The kind's channel when its policy fixes one, else the customer's preferred one, else SMS. */
export function channelFor(policyChannel: NotificationChannel | null, preferredChannel: string | null): NotificationChannel {
  if (policyChannel) return policyChannel;
  return (preferredChannel && CHANNEL_OF_PREFERENCE[preferredChannel]) || DEFAULT_CHANNEL;
}

/** The customer's language, else their branch's, else the institution's default. */
export function languageFor(preferred: string | null, branchLanguage: string | null, defaultLanguage: string): string {
  return preferred?.trim() || branchLanguage || defaultLanguage;
}

/** The languages to look a template up in, in order: the notification's, then the default one. */
export function templateLanguages(language: string, defaultLanguage: string): string[] {
  return language === defaultLanguage ? [language] : [language, defaultLanguage];
}

const PLACEHOLDER = /\{\{\s*([A-Za-z]+)\s*\}\}/g;

/** The placeholders a text uses. */
export function placeholdersOf(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ''))];
}

/** Fills the placeholders with the notification's values (a value the notification lacks renders empty). */
export function renderTemplate(text: string, params: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (_all, name: string) => params[name] ?? '');
}

/** Where a channel delivers: SMS to the phone, EMAIL to the e-mail address, LETTER to the postal address; PUSH by customer id (the app). */
export function addressFor(
  channel: NotificationChannel,
  contact: { phone: string | null; email: string | null; addressLine: string | null; district: string | null; city: string | null; region: string | null },
): string | null {
  switch (channel) {
    case 'SMS':
      return contact.phone || null;
    case 'EMAIL':
      return contact.email || null;
    case 'LETTER':
      // a letter needs at least a street line and a city
      return contact.addressLine && contact.city ? [contact.addressLine, contact.district, contact.city, contact.region].filter(Boolean).join(', ') : null;
    case 'PUSH':
      return 'app';
  }
}

/**
 * Until when a notification stays useful: a due reminder until the end of the due date, a
 * points notice until the points expire; an overdue notice does not expire.
 */
export function expiryOf(kind: NotificationKind, params: Record<string, string>): Date | null {
  if (kind === 'DUE_REMINDER' && params.dueDate) return endOfDate(params.dueDate);
  if (kind === 'POINTS_EXPIRY' && params.expiresOn) return startOfDate(params.expiresOn);
  return null;
}

/**
 * The contact a notification is, for the contact rules (domain/contact-limits.ts) and the
 * interaction recorded when it is sent: its interaction channel (PUSH is APP; a letter is a
 * LETTER interaction, so LETTER limits and limits of any channel apply to it) and purpose.
 */
export const CONTACT_OF_NOTIFICATION: {
  channel: Record<NotificationChannel, InteractionChannel>;
  purpose: Record<NotificationKind, InteractionPurpose>;
} = {
  channel: { SMS: 'SMS', EMAIL: 'EMAIL', PUSH: 'APP', LETTER: 'LETTER' },
  purpose: { DUE_REMINDER: 'COLLECTION_REMINDER', OVERDUE_NOTICE: 'COLLECTION_REMINDER', POINTS_EXPIRY: 'MARKETING', CRISIS_RELIEF: 'SERVICE' },
};

/** What the contact rules say of one more contact: allowed, over a limit, or outside the purpose's hours until an instant. */
export type ContactCheck = { allowed: true } | { allowed: false; limit: true } | { allowed: false; limit: false; hoursUntil: Date };

/** What the dispatch does with a queued notification whose time has come. */
export type DispatchDecision = { send: true } | { send: false; suppress: NotificationReason } | { send: false; deferUntil: Date };

/**
 * Whether a due notification goes out, checked in this order: still useful (EXPIRED), the
 * consent its kind needs (NO_CONSENT), an address for its channel (NO_CONTACT_ADDRESS), the
 * contact rules (`contact`: over a limit is CONTACT_LIMIT, dropped; outside the allowed hours of
 * its purpose it is deferred until they open). Quiet hours defer the whole run (`quietUntil`).
 * `contact` is null when not checked yet: the dispatch checks the rules only for a notification
 * that passed the first three.
 */
export function dispatchDecision(
  n: { expiresAt: Date | null; requiredConsent: string | null; consented: boolean; address: string | null },
  contact: ContactCheck | null,
  now: Date,
): DispatchDecision {
  if (n.expiresAt && n.expiresAt.getTime() <= now.getTime()) return { send: false, suppress: 'EXPIRED' };
  if (n.requiredConsent && !n.consented) return { send: false, suppress: 'NO_CONSENT' };
  if (!n.address) return { send: false, suppress: 'NO_CONTACT_ADDRESS' };
  if (contact && !contact.allowed) return contact.limit ? { send: false, suppress: 'CONTACT_LIMIT' } : { send: false, deferUntil: contact.hoursUntil };
  return { send: true };
}

export interface QuietHours {
  /** HH:MM local time. */
  start: string;
  end: string;
  /** IANA time zone of the institution. */
  timeZone: string;
}

const minutesOf = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/** Seconds since local midnight of an instant in a time zone. */
function localSecondsOfDay(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return part('hour') * 3600 + part('minute') * 60 + part('second');
}

/**
 * When `now` falls in the quiet hours (start inclusive, end exclusive, local time of the
 * institution; a window may span midnight), the instant they end; else null. Start equal to
 * end means no quiet hours. (A clock change inside the window may move the end by its hour.)
 */
export function quietUntil(now: Date, quiet: QuietHours): Date | null {
  const start = minutesOf(quiet.start) * 60;
  const end = minutesOf(quiet.end) * 60;
  if (start === end) return null;
  const t = localSecondsOfDay(now, quiet.timeZone);
  const inside = start < end ? t >= start && t < end : t >= start || t < end;
  if (!inside) return null;
  const wait = (end - t + 86_400) % 86_400;
  return new Date(Math.floor(now.getTime() / 1000) * 1000 + wait * 1000);
}

/** The longest wait between two attempts. */
export const MAX_RETRY_DELAY_MS = DAY_MS;

/** Wait after the n-th failed attempt (n >= 1): the base delay, doubled after each further failure, at most a day. */
export function retryDelayMs(failedAttempts: number, baseMinutes: number): number {
  return Math.min(baseMinutes * 60_000 * 2 ** Math.max(0, failedAttempts - 1), MAX_RETRY_DELAY_MS);
}

/** What becomes of a failed attempt: retried later, or FAILED for good (the provider refused it, or no attempt is left). */
export function afterFailure(
  input: { attemptsBefore: number; retryable: boolean; maxAttempts: number; baseMinutes: number },
  now: Date,
): { final: true } | { final: false; retryAt: Date } {
  const attempts = input.attemptsBefore + 1;
  if (!input.retryable || attempts >= input.maxAttempts) return { final: true };
  return { final: false, retryAt: new Date(now.getTime() + retryDelayMs(attempts, input.baseMinutes)) };
}

const LANGUAGE = /^[a-z]{2,3}(-[A-Z]{2})?$/;
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const language = z.string().trim().regex(LANGUAGE, 'must be a language tag such as en, fr or pt-BR');

export interface TemplateInput {
  kind: NotificationKind;
  channel: NotificationChannel;
  language: string;
  subject: string | null;
  body: string;
}

/** Longest body per channel (an SMS is sent in at most three parts). */
const MAX_BODY: Record<NotificationChannel, number> = { SMS: 480, PUSH: 240, EMAIL: 4000, LETTER: 8000 };

/** A template: a known language, a body within its channel's length, a subject where the channel has one, known placeholders only. */
export function validateTemplate(input: unknown): Validation<TemplateInput> {
  const parsed = validateWith(
    z.object({
      kind: z.enum(NOTIFICATION_KINDS as [NotificationKind, ...NotificationKind[]]),
      channel: z.enum(NOTIFICATION_CHANNELS as [NotificationChannel, ...NotificationChannel[]]),
      language,
      subject: z
        .string()
        .trim()
        .max(200)
        .nullish()
        .transform((v) => v || null),
      body: z.string().trim().min(1, 'must not be blank'),
    }),
    input,
  );
  if (!parsed.ok) return parsed;
  const t = parsed.value;
  const errors: UserError[] = [];
  if (t.body.length > MAX_BODY[t.channel])
    errors.push({ field: 'body', code: 'TOO_BIG', message: `must be at most ${MAX_BODY[t.channel]} characters on ${t.channel}` });
  if ((t.channel === 'EMAIL' || t.channel === 'LETTER') && !t.subject)
    errors.push({ field: 'subject', code: 'REQUIRED', message: `${t.channel} needs a subject` });
  for (const [field, text] of [
    ['subject', t.subject ?? ''],
    ['body', t.body],
  ] as const) {
    const unknown = placeholdersOf(text).filter((p) => !TEMPLATE_PARAMS[t.kind].includes(p));
    if (unknown.length)
      errors.push({
        field,
        code: 'UNKNOWN_PLACEHOLDER',
        message: `${unknown.map((p) => `{{${p}}}`).join(', ')} not offered by ${t.kind} (${TEMPLATE_PARAMS[t.kind].join(', ')})`,
      });
  }
  return errors.length ? { ok: false, errors } : { ok: true, value: t };
}

export interface NotificationKindPolicy {
  kind: NotificationKind;
  enabled: boolean;
  requiredConsent: string | null;
  channel: NotificationChannel | null;
}

export interface NotificationSettingsChange {
  defaultLanguage: string | null;
  branchLanguages: { branchId: string; language: string | null }[] | null;
  timeZone: string | null;
  quietHoursStart: string | null;
  quietHoursEnd: string | null;
  maxAttempts: number | null;
  retryMinutes: number | null;
  kinds: NotificationKindPolicy[] | null;
}

const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

/** A settings change: language tags, an IANA time zone, HH:MM quiet hours, 1-20 attempts, 1-1440 minutes, each kind once. */
export function validateNotificationSettings(input: unknown): Validation<NotificationSettingsChange> {
  const optional = <T extends z.ZodType>(s: T) => s.nullish().transform((v) => v ?? null);
  const parsed = validateWith(
    z.object({
      defaultLanguage: optional(language),
      branchLanguages: optional(z.array(z.object({ branchId: z.string().trim().min(1), language: language.nullish().transform((v) => v ?? null) })).max(1000)),
      timeZone: optional(z.string().refine(isTimeZone, { message: 'must be an IANA time zone such as Africa/Dakar', params: { code: 'INVALID_VALUE' } })),
      quietHoursStart: optional(z.string().regex(HHMM, 'must be a time HH:MM')),
      quietHoursEnd: optional(z.string().regex(HHMM, 'must be a time HH:MM')),
      maxAttempts: optional(z.number().int().min(1).max(20)),
      retryMinutes: optional(z.number().int().min(1).max(1440)),
      kinds: optional(
        z.array(
          z.object({
            kind: z.enum(NOTIFICATION_KINDS as [NotificationKind, ...NotificationKind[]]),
            enabled: z.boolean(),
            requiredConsent: optional(z.enum(CONSENT_PURPOSES)),
            channel: optional(z.enum(NOTIFICATION_CHANNELS as [NotificationChannel, ...NotificationChannel[]])),
          }),
        ),
      ),
    }),
    input,
  );
  if (!parsed.ok) return parsed;
  const errors: UserError[] = [];
  const kinds = parsed.value.kinds ?? [];
  if (new Set(kinds.map((k) => k.kind)).size !== kinds.length) errors.push({ field: 'kinds', code: 'DUPLICATE_KIND', message: 'each kind at most once' });
  const branches = parsed.value.branchLanguages ?? [];
  if (new Set(branches.map((b) => b.branchId)).size !== branches.length)
    errors.push({ field: 'branchLanguages', code: 'DUPLICATE_BRANCH', message: 'each branch at most once' });
  return errors.length ? { ok: false, errors } : parsed;
}

/** A notification's dedupe key: the business fact it is for (one reminder per instalment and due date, one notice per instalment, one expiry notice per account and date). */
export function notificationDedupeKey(kind: NotificationKind, params: Record<string, string>): string {
  switch (kind) {
    case 'DUE_REMINDER':
    case 'OVERDUE_NOTICE':
      return `${kind}:${params.loanId}:${params.instalmentNumber}:${params.dueDate}`;
    case 'POINTS_EXPIRY':
      return `${kind}:${params.accountId}:${params.expiresOn}`;
    case 'CRISIS_RELIEF':
      return `${kind}:${params.measureId}:${params.loanId}`;
  }
}
