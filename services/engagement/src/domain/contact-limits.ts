import { DAY_MS, type UserError, type Validation } from '@crm/service-kit';
import { INTERACTION_CHANNELS, type InteractionChannel, type InteractionPurpose } from './types.ts';

/**
 * Contact rules: over-contact harms the relationship and, in collections, breaks conduct rules.
 *
 * - **Limits** (`contact_limit`, data): at most `maxContacts` outbound contacts of a customer per
 *   `periodDays` (a rolling window ending at the contact), per channel (or any channel) and purpose
 *   (or any purpose). Every limit that matches a contact's channel and purpose applies. Only
 *   outbound contacts count (a customer calling in is not contacted).
 * - **Hours** (`contact_hours`, data): for a purpose (by default collection reminders), the days of
 *   the week and the local hours (inclusive, in the rule's time zone) when outbound contact is
 *   allowed, whatever the channel.
 *
 * Enforced on logged interactions (a refused contact gets CONTACT_LIMIT_REACHED or
 * OUTSIDE_CONTACT_HOURS; a branch manager may override with a reason, which is recorded), on
 * planned outbound tasks (their due time moves to when the contact is allowed) and, through
 * `checkContactAllowed` (db/contact-limit.store.ts), on anything else that contacts customers.
 */

export type ContactRefusalCode = 'CONTACT_LIMIT_REACHED' | 'OUTSIDE_CONTACT_HOURS';

export interface ContactLimitRule {
  /** Null: every channel. */
  channel: InteractionChannel | null;
  /** Null: every purpose. */
  purpose: InteractionPurpose | null;
  maxContacts: number;
  periodDays: number;
}

export interface ContactHoursRule {
  purpose: InteractionPurpose;
  /** ISO days of the week: 1 = Monday ... 7 = Sunday. */
  days: number[];
  /** Local time "HH:MM", inclusive. */
  from: string;
  /** Local time "HH:MM", inclusive. */
  to: string;
  /** IANA time zone of the hours, e.g. "Africa/Dakar" or "UTC". */
  timeZone: string;
}

export interface ContactRules {
  limits: ContactLimitRule[];
  hours: ContactHoursRule[];
}

/** One rule a contact breaks, with when it would be allowed again (null when unknown). */
export interface ContactRefusal {
  code: ContactRefusalCode;
  message: string;
  /** The rule, for the audit record and the explanation: `PHONE/COLLECTION_REMINDER 2 per 1 day`, `COLLECTION_REMINDER hours`. */
  rule: string;
  nextAllowedAt: Date | null;
}

export type ContactDecision = { allowed: true; refusals: [] } | { allowed: false; refusals: ContactRefusal[] };

/** The limits that apply to a contact of this channel and purpose. */
export function limitsFor(limits: readonly ContactLimitRule[], channel: InteractionChannel, purpose: InteractionPurpose): ContactLimitRule[] {
  return limits.filter((l) => (l.channel === null || l.channel === channel) && (l.purpose === null || l.purpose === purpose));
}

/**
 * Contacts count towards a limit when they are less than one period from the contact, before or
 * after it: after this instant and before `limitWindowEnd`. Counting the later ones too means two
 * contacts recorded at once (the second waits on the customer's contact lock, then counts the
 * first even when its own time was taken a moment earlier) and a contact recorded after the fact
 * never put more than the maximum within one period of each other.
 */
export function limitWindowStart(rule: ContactLimitRule, at: Date): Date {
  return new Date(at.getTime() - rule.periodDays * DAY_MS);
}

/** The end (excluded) of the contacts a limit counts against a contact at `at`: see limitWindowStart. */
export function limitWindowEnd(rule: ContactLimitRule, at: Date): Date {
  return new Date(at.getTime() + rule.periodDays * DAY_MS);
}

export const ruleName = (rule: ContactLimitRule) =>
  `${rule.channel ?? 'ANY_CHANNEL'}/${rule.purpose ?? 'ANY_PURPOSE'} ${rule.maxContacts} per ${rule.periodDays} day${rule.periodDays === 1 ? '' : 's'}`;

const words = (code: string) => code.toLowerCase().replaceAll('_', ' ');

/**
 * A limit broken by one more contact at `at`, given the instants of the customer's counted
 * contacts in its window: it is broken when they already reach the maximum, and allowed again when
 * the `maxContacts`-th most recent of them leaves the window.
 */
export function limitRefusal(rule: ContactLimitRule, contactsInWindow: readonly Date[], at: Date): ContactRefusal | null {
  if (contactsInWindow.length < rule.maxContacts) return null;
  const recent = [...contactsInWindow].sort((a, b) => b.getTime() - a.getTime());
  const leaving = recent[rule.maxContacts - 1] ?? at;
  const nextAllowedAt = new Date(leaving.getTime() + rule.periodDays * DAY_MS);
  const what = `${rule.channel ? `${rule.channel} ` : ''}${rule.purpose ? `${words(rule.purpose)} ` : ''}contacts`;
  return {
    code: 'CONTACT_LIMIT_REACHED',
    rule: ruleName(rule),
    nextAllowedAt,
    message: `Outbound ${what} are limited to ${rule.maxContacts} per ${rule.periodDays} day${rule.periodDays === 1 ? '' : 's'}; the customer had ${contactsInWindow.length} (allowed again from ${nextAllowedAt.toISOString()})`,
  };
}

// ---- local time of the hours rules ----

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** Whether a time zone name is known to the runtime (IANA). */
export function isTimeZone(name: string): boolean {
  try {
    formatter(name);
    return true;
  } catch {
    return false;
  }
}

interface LocalTime {
  year: number;
  month: number;
  day: number;
  weekday: number;
  /** Minutes since local midnight. */
  minutes: number;
  seconds: number;
}

function localTime(at: Date, timeZone: string): LocalTime {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    weekday: WEEKDAYS[parts.weekday ?? ''] ?? 0,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
    seconds: Number(parts.second),
  };
}

/** The offset of a time zone at an instant, in milliseconds (local - UTC). */
function offsetAt(at: Date, timeZone: string): number {
  const l = localTime(at, timeZone);
  const asUtc = Date.UTC(l.year, l.month - 1, l.day, 0, l.minutes, l.seconds);
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/** The instant of a local date and time of day (minutes) in a time zone. */
function instantOf(year: number, month: number, day: number, minutes: number, timeZone: string): Date {
  const guess = Date.UTC(year, month - 1, day, 0, minutes);
  const first = guess - offsetAt(new Date(guess), timeZone);
  const second = guess - offsetAt(new Date(first), timeZone);
  return new Date(second);
}

export const minutesOfDay = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The window of one local day (the day of `at` shifted by `dayOffset`), or null when the rule allows no contact that day. */
function windowOfDay(rule: ContactHoursRule, at: Date, dayOffset: number): { start: Date; end: Date } | null {
  const here = localTime(at, rule.timeZone);
  // calendar arithmetic on the local date (UTC is used only as a calendar here)
  const date = new Date(Date.UTC(here.year, here.month - 1, here.day + dayOffset));
  const weekday = ((date.getUTCDay() + 6) % 7) + 1;
  if (!rule.days.includes(weekday)) return null;
  const [y, m, d] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
  return { start: instantOf(y, m, d, minutesOfDay(rule.from), rule.timeZone), end: instantOf(y, m, d, minutesOfDay(rule.to), rule.timeZone) };
}

/** Whether `at` falls in the allowed hours (both ends included, to the minute). */
export function withinContactHours(rule: ContactHoursRule, at: Date): boolean {
  const l = localTime(at, rule.timeZone);
  return rule.days.includes(l.weekday) && l.minutes >= minutesOfDay(rule.from) && l.minutes <= minutesOfDay(rule.to);
}

/** The first allowed instant at or after `at` (null when the rule allows no day at all). */
export function nextContactHoursStart(rule: ContactHoursRule, at: Date): Date | null {
  if (withinContactHours(rule, at)) return at;
  for (let offset = 0; offset <= 7; offset++) {
    const w = windowOfDay(rule, at, offset);
    if (w && w.start.getTime() >= at.getTime()) return w.start;
  }
  return null;
}

/**
 * A planned task's due time within the allowed hours: kept when it falls in them; else moved back
 * to the end of the last allowed window before it, unless that is before `notBefore` (when the
 * task is planned, or when a limit allows the contact again), then forward to the end of the next
 * window ending at or after `notBefore`.
 */
export function fitDueIntoContactHours(rule: ContactHoursRule, due: Date, notBefore: Date): Date {
  if (withinContactHours(rule, due) && due.getTime() >= notBefore.getTime()) return due;
  for (let offset = 0; offset >= -7; offset--) {
    const w = windowOfDay(rule, due, offset);
    if (!w || w.start.getTime() > due.getTime()) continue;
    const candidate = w.end.getTime() < due.getTime() ? w.end : due;
    if (candidate.getTime() >= notBefore.getTime()) return candidate;
    break;
  }
  for (let offset = 0; offset <= 7; offset++) {
    const w = windowOfDay(rule, notBefore, offset);
    if (w && w.end.getTime() >= notBefore.getTime()) return w.end;
  }
  return due;
}

const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

export const hoursName = (rule: ContactHoursRule) => `${rule.purpose} hours`;

/** The refusal of a contact outside the hours of its purpose, or null. */
export function hoursRefusal(rule: ContactHoursRule | undefined, at: Date): ContactRefusal | null {
  if (!rule || withinContactHours(rule, at)) return null;
  const days = rule.days.map((d) => DAY_NAMES[d - 1]).join(', ');
  return {
    code: 'OUTSIDE_CONTACT_HOURS',
    rule: hoursName(rule),
    nextAllowedAt: nextContactHoursStart(rule, at),
    message: `${words(rule.purpose)} contact is allowed on ${days}, ${rule.from}-${rule.to} (${rule.timeZone}); ${at.toISOString()} is outside`,
  };
}

/** The decision on one outbound contact from the refusals of its rules. */
export function contactDecision(refusals: readonly (ContactRefusal | null)[]): ContactDecision {
  const broken = refusals.filter((r): r is ContactRefusal => r !== null);
  return broken.length ? { allowed: false, refusals: broken } : { allowed: true, refusals: [] };
}

/** When every refusal is lifted (the latest of their next allowed instants), or null when one cannot say. */
export function allowedAgainAt(refusals: readonly ContactRefusal[]): Date | null {
  let latest: Date | null = null;
  for (const r of refusals) {
    if (!r.nextAllowedAt) return null;
    if (!latest || r.nextAllowedAt.getTime() > latest.getTime()) latest = r.nextAllowedAt;
  }
  return latest;
}

/**
 * The contact a planned task stands for, by task type: the channel and purpose its limits and
 * hours are those of. Credit reviews are not contacts; task types engagement does not know here
 * are not checked.
 */
const TASK_CONTACTS: Record<string, { channel: InteractionChannel; purpose: InteractionPurpose }> = {
  WELCOME: { channel: 'PHONE', purpose: 'WELCOME' },
  FOLLOW_UP: { channel: 'PHONE', purpose: 'SERVICE' },
  POST_LOAN_VISIT: { channel: 'VISIT', purpose: 'POST_LOAN_FOLLOW_UP' },
  COLLECTION_REMINDER: { channel: 'PHONE', purpose: 'COLLECTION_REMINDER' },
  RETENTION: { channel: 'PHONE', purpose: 'SERVICE' },
  SERVICE_RECOVERY: { channel: 'PHONE', purpose: 'SERVICE' },
  CARE: { channel: 'PHONE', purpose: 'CARE' },
};

export function contactOfTaskType(type: string, homeVisit = false): { channel: InteractionChannel; purpose: InteractionPurpose } | null {
  const contact = TASK_CONTACTS[type];
  if (!contact) return null;
  return homeVisit && type === 'CARE' ? { ...contact, channel: 'VISIT' } : contact;
}

// ---- changes to the rules ----

const PURPOSES: readonly InteractionPurpose[] = ['WELCOME', 'POST_LOAN_FOLLOW_UP', 'COLLECTION_REMINDER', 'CARE', 'SERVICE', 'SURVEY', 'MARKETING'];
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
export const MAX_CONTACT_RULES = 50;

export interface ContactRulesInput {
  limits?: readonly { channel?: string | null; purpose?: string | null; maxContacts: number; periodDays: number }[] | null;
  hours?: readonly { purpose: string; days: readonly number[]; from: string; to: string; timeZone?: string | null }[] | null;
}

/**
 * Checks a replacement of the rules (a list given replaces the whole list; a list left out stays):
 * 1-100 contacts per 1-365 days, one limit per channel and purpose; hours with days 1-7, "HH:MM"
 * times with `from` before `to`, a known time zone (UTC when left out), one per purpose.
 */
export function validateContactRules(input: ContactRulesInput, current: ContactRules): Validation<ContactRules> {
  const errors: UserError[] = [];
  const err = (field: string, code: string, message: string) => errors.push({ field, code, message });
  let limits = current.limits;
  if (input.limits) {
    if (input.limits.length > MAX_CONTACT_RULES) err('limits', 'TOO_BIG', `at most ${MAX_CONTACT_RULES} limits`);
    const seen = new Set<string>();
    limits = input.limits.map((l, i) => {
      const at = `limits.${i}`;
      const channel = (l.channel ?? null) as InteractionChannel | null;
      const purpose = (l.purpose ?? null) as InteractionPurpose | null;
      if (channel !== null && !INTERACTION_CHANNELS.includes(channel)) err(`${at}.channel`, 'INVALID_VALUE', `one of ${INTERACTION_CHANNELS.join(', ')}`);
      if (purpose !== null && !PURPOSES.includes(purpose)) err(`${at}.purpose`, 'INVALID_VALUE', `one of ${PURPOSES.join(', ')}`);
      if (!Number.isInteger(l.maxContacts) || l.maxContacts < 1 || l.maxContacts > 100) err(`${at}.maxContacts`, 'OUT_OF_RANGE', 'must be from 1 to 100');
      if (!Number.isInteger(l.periodDays) || l.periodDays < 1 || l.periodDays > 365) err(`${at}.periodDays`, 'OUT_OF_RANGE', 'must be from 1 to 365');
      const key = `${channel ?? '*'}/${purpose ?? '*'}`;
      if (seen.has(key)) err(at, 'DUPLICATE_RULE', `another limit has channel ${channel ?? 'any'} and purpose ${purpose ?? 'any'}`);
      seen.add(key);
      return { channel, purpose, maxContacts: l.maxContacts, periodDays: l.periodDays };
    });
  }
  let hours = current.hours;
  if (input.hours) {
    if (input.hours.length > MAX_CONTACT_RULES) err('hours', 'TOO_BIG', `at most ${MAX_CONTACT_RULES} hours rules`);
    const seen = new Set<string>();
    hours = input.hours.map((h, i) => {
      const at = `hours.${i}`;
      const purpose = h.purpose as InteractionPurpose;
      if (!PURPOSES.includes(purpose)) err(`${at}.purpose`, 'INVALID_VALUE', `one of ${PURPOSES.join(', ')}`);
      if (seen.has(purpose)) err(at, 'DUPLICATE_RULE', `another hours rule is for ${purpose}`);
      seen.add(purpose);
      const days = [...new Set(h.days)].sort((a, b) => a - b);
      if (!days.length || days.some((d) => !Number.isInteger(d) || d < 1 || d > 7))
        err(`${at}.days`, 'OUT_OF_RANGE', 'days of the week from 1 (Monday) to 7 (Sunday), at least one');
      const fromOk = HHMM.test(h.from);
      const toOk = HHMM.test(h.to);
      if (!fromOk) err(`${at}.from`, 'INVALID_FORMAT', 'a local time HH:MM');
      if (!toOk) err(`${at}.to`, 'INVALID_FORMAT', 'a local time HH:MM');
      if (fromOk && toOk && minutesOfDay(h.from) >= minutesOfDay(h.to))
        err(`${at}.to`, 'INVALID_RANGE', 'must be after from (windows over midnight are two rules’ worth: not supported)');
      const timeZone = h.timeZone?.trim() || 'UTC';
      if (!isTimeZone(timeZone)) err(`${at}.timeZone`, 'INVALID_VALUE', 'an IANA time zone such as Africa/Dakar or UTC');
      return { purpose, days, from: h.from, to: h.to, timeZone };
    });
  }
  return errors.length ? { ok: false, errors } : { ok: true, value: { limits, hours } };
}
