import { DAY_MS, invalid, isoDate, type UserError, userErrorsFromZod, type Validation, valid } from '@crm/service-kit';
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { tagList } from './registration.ts';

export type CustomerStatus = 'PROSPECT' | 'ACTIVE' | 'DORMANT' | 'CHURNED';
export type CustomerKind = 'INDIVIDUAL' | 'ENTERPRISE';

/**
 * The status lifecycle. A prospect becomes active (first loan) or is lost; an active customer
 * goes dormant or churns; a dormant one comes back or churns; a churned one can be won back.
 * Nothing else: a customer never goes back to PROSPECT.
 */
export const STATUS_TRANSITIONS: Record<CustomerStatus, readonly CustomerStatus[]> = {
  PROSPECT: ['ACTIVE', 'CHURNED'],
  ACTIVE: ['DORMANT', 'CHURNED'],
  DORMANT: ['ACTIVE', 'CHURNED'],
  CHURNED: ['ACTIVE'],
};

export function checkStatusTransition(from: CustomerStatus, to: CustomerStatus): UserError | null {
  if (from === to) return { field: 'status', message: `The customer is already ${to}`, code: 'STATUS_UNCHANGED' };
  if (!STATUS_TRANSITIONS[from].includes(to))
    return {
      field: 'status',
      message: `A ${from} customer cannot become ${to} (allowed: ${STATUS_TRANSITIONS[from].join(', ')})`,
      code: 'INVALID_STATUS_TRANSITION',
    };
  return null;
}

export type ProfileTable = 'customer' | 'individual_profile' | 'enterprise_profile';
export type FieldValue = string | number | string[] | null;

/** One updatable profile field: where it is in the input and where it is stored. */
interface FieldSpec {
  path: string;
  table: ProfileTable;
  column: string;
  /** Required fields cannot be cleared with null. */
  required: boolean;
  schema: z.ZodType<FieldValue>;
}

const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be blank')
    .max(max, `must be at most ${max} characters`)
    .transform((v): FieldValue => v);
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .transform((v): FieldValue => v || null);
const oneOf = (values: readonly [string, ...string[]]) => z.enum(values).transform((v): FieldValue => v);
const pastDate = (today: string, what: string) =>
  z
    .string()
    .superRefine((v, ctx) => {
      if (v > today) ctx.addIssue({ code: 'custom', message: `${what} cannot be in the future`, params: { code: 'DATE_IN_FUTURE' } });
    })
    .transform((v): FieldValue => v);

function fieldSpecs(today: string): FieldSpec[] {
  const f = (path: string, table: ProfileTable, column: string, schema: z.ZodType<FieldValue>, required = false): FieldSpec => ({
    path,
    table,
    column,
    schema,
    required,
  });
  return [
    f('branchId', 'customer', 'branch_id', text(64), true),
    f(
      'tags',
      'customer',
      'tags',
      tagList.transform((v): FieldValue => v),
      true,
    ),
    f('individual.firstName', 'individual_profile', 'first_name', text(100), true),
    f('individual.lastName', 'individual_profile', 'last_name', text(100), true),
    f('individual.gender', 'individual_profile', 'gender', oneOf(['FEMALE', 'MALE', 'OTHER', 'UNDISCLOSED'])),
    f('individual.birthDate', 'individual_profile', 'birth_date', pastDate(today, 'Birth date')),
    f(
      'individual.nationalId',
      'individual_profile',
      'national_id',
      z
        .string()
        .trim()
        .regex(/^[A-Za-z0-9-]{4,32}$/, 'must be 4 to 32 letters, digits or dashes')
        .transform((v): FieldValue => v),
    ),
    f('individual.occupation', 'individual_profile', 'occupation', optionalText(100)),
    f('individual.employer', 'individual_profile', 'employer', optionalText(200)),
    f('enterprise.legalName', 'enterprise_profile', 'legal_name', text(200), true),
    f('enterprise.registrationNumber', 'enterprise_profile', 'registration_number', text(64), true),
    f('enterprise.industry', 'enterprise_profile', 'industry', optionalText(100)),
    f('enterprise.size', 'enterprise_profile', 'size', oneOf(['MICRO', 'SMALL', 'MEDIUM'])),
    f('enterprise.foundedOn', 'enterprise_profile', 'founded_on', pastDate(today, 'Founding date')),
    f('enterprise.legalRepresentative', 'enterprise_profile', 'legal_representative', optionalText(200)),
    f(
      'enterprise.annualRevenue',
      'enterprise_profile',
      'annual_revenue',
      z
        .instanceof(Decimal)
        .superRefine((v, ctx) => {
          if (v.isNegative()) ctx.addIssue({ code: 'custom', message: 'Annual revenue cannot be negative', params: { code: 'NEGATIVE_AMOUNT' } });
          if (v.decimalPlaces() > 2) ctx.addIssue({ code: 'custom', message: 'Annual revenue has at most 2 decimals', params: { code: 'TOO_MANY_DECIMALS' } });
        })
        .transform((v): FieldValue => v.toFixed(2)),
    ),
    f('enterprise.employees', 'enterprise_profile', 'employees', z.number().int().min(0, 'cannot be negative')),
    f(
      'contact.phone',
      'customer',
      'phone',
      z
        .string()
        .trim()
        .regex(/^\+?[0-9 ()-]{6,20}$/, 'must be a phone number')
        .transform((v): FieldValue => v),
    ),
    f(
      'contact.email',
      'customer',
      'email',
      z.email('must be an email address').transform((v): FieldValue => v),
    ),
    f('contact.address.region', 'customer', 'region', optionalText(100)),
    f('contact.address.city', 'customer', 'city', optionalText(100)),
    f('contact.address.district', 'customer', 'district', optionalText(100)),
    f('contact.address.line', 'customer', 'address_line', optionalText(200)),
    f('contact.preferredChannel', 'customer', 'preferred_channel', oneOf(['PHONE', 'SMS', 'EMAIL', 'APP', 'MESSAGING', 'VISIT', 'BRANCH'])),
    f(
      'contact.preferredLanguage',
      'customer',
      'preferred_language',
      z
        .string()
        .regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, 'must be a language tag such as "en" or "fr-CM"')
        .transform((v): FieldValue => v),
    ),
    // preferences (issue 15): for notifications, offers and segments
    f('preferences.contactTime', 'customer', 'contact_time', contactTimeWindow),
    f('preferences.interests', 'customer', 'interests', interestList, true),
    f('preferences.educationLevel', 'customer', 'education_level', oneOf(EDUCATION_LEVELS)),
  ];
}

export const EDUCATION_LEVELS = ['NONE', 'PRIMARY', 'SECONDARY', 'VOCATIONAL', 'TERTIARY', 'POSTGRADUATE'] as const;

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

/**
 * The window the customer prefers to be contacted in, local time, stored as "HH:MM-HH:MM": `from`
 * before `to` (a window over midnight is not taken).
 */
const contactTimeWindow = z
  .object({ from: z.string(), to: z.string() })
  .superRefine((v, ctx) => {
    if (!HHMM.test(v.from)) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must be a local time HH:MM', params: { code: 'INVALID_FORMAT' } });
    if (!HHMM.test(v.to)) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be a local time HH:MM', params: { code: 'INVALID_FORMAT' } });
    if (HHMM.test(v.from) && HHMM.test(v.to) && v.from >= v.to)
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from', params: { code: 'INVALID_RANGE' } });
  })
  .transform((v): FieldValue => `${v.from}-${v.to}`);

/** Interests as codes (2 to 40 capitals, digits or underscores, e.g. AGRICULTURE, SAVINGS), at most 20, kept sorted and once each. */
const interestList = z
  .array(
    z.string().superRefine((v, ctx) => {
      if (!/^[A-Z][A-Z0-9_]{1,39}$/.test(v))
        ctx.addIssue({ code: 'custom', message: 'must be 2 to 40 capitals, digits or underscores', params: { code: 'INVALID_CODE' } });
    }),
  )
  .max(20, 'at most 20 interests')
  .transform((v): FieldValue => [...new Set(v)].sort());

/** A validated field the input sets (null: clear it). */
export interface FieldUpdate {
  path: string;
  table: ProfileTable;
  column: string;
  value: FieldValue;
}

/** One recorded change: old and new values as text (lists joined with ", "). */
export interface ProfileChange {
  field: string;
  table: ProfileTable;
  column: string;
  value: FieldValue;
  oldValue: string | null;
  newValue: string | null;
}

function valueAt(input: unknown, path: string): unknown {
  let current: unknown = input;
  for (const key of path.split('.')) {
    if (current === null || current === undefined || typeof current !== 'object') return undefined;
    const next: unknown = Reflect.get(current, key);
    current = next;
  }
  return current;
}

/**
 * Validates an update: each field present in `input` is checked like at registration; a field
 * left out is unchanged, a null clears it (not allowed for required ones). `today` bounds dates.
 */
export function validateProfileUpdate(input: unknown, kind: CustomerKind, today: string): Validation<FieldUpdate[]> {
  const errors: UserError[] = [];
  if (kind === 'INDIVIDUAL' && valueAt(input, 'enterprise') != null)
    errors.push({ field: 'enterprise', message: 'An individual customer has no enterprise profile', code: 'NOT_ALLOWED' });
  if (kind === 'ENTERPRISE' && valueAt(input, 'individual') != null)
    errors.push({ field: 'individual', message: 'An enterprise customer has no individual profile', code: 'NOT_ALLOWED' });
  if (kind === 'ENTERPRISE' && valueAt(input, 'preferences.educationLevel') != null)
    errors.push({ field: 'preferences.educationLevel', message: 'An enterprise has no education level', code: 'NOT_ALLOWED' });
  const updates: FieldUpdate[] = [];
  for (const spec of fieldSpecs(today)) {
    const raw = valueAt(input, spec.path);
    if (raw === undefined) continue;
    if (raw === null) {
      if (spec.required) errors.push({ field: spec.path, message: 'cannot be cleared', code: 'REQUIRED' });
      else updates.push({ path: spec.path, table: spec.table, column: spec.column, value: null });
      continue;
    }
    const parsed = spec.schema.safeParse(raw);
    if (!parsed.success) {
      for (const e of userErrorsFromZod(parsed.error)) errors.push({ ...e, field: e.field ? `${spec.path}.${e.field}` : spec.path });
      continue;
    }
    updates.push({ path: spec.path, table: spec.table, column: spec.column, value: parsed.data });
  }
  return errors.length ? invalid(errors) : valid(updates);
}

/** Text form of a stored value, for history and events. */
export function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.length ? value.map(String).join(', ') : null;
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/** Profile columns holding calendar dates (compared as YYYY-MM-DD whatever the driver returns). */
const DATE_COLUMNS = new Set(['birth_date', 'founded_on']);

/** The updates that really change something, with old and new values. */
export function diffProfile(updates: FieldUpdate[], current: (table: ProfileTable, column: string) => unknown): ProfileChange[] {
  const changes: ProfileChange[] = [];
  for (const u of updates) {
    const stored = current(u.table, u.column);
    const oldValue = DATE_COLUMNS.has(u.column) && stored instanceof Date ? isoDate(stored) : asText(stored);
    const newValue = asText(u.value);
    if (oldValue !== newValue) changes.push({ field: u.path, table: u.table, column: u.column, value: u.value, oldValue, newValue });
  }
  return changes;
}

/** True when the profile was last reviewed more than `staleAfterDays` before `now`. */
export function isStale(reviewedAt: Date | null, now: Date, staleAfterDays: number): boolean {
  if (!reviewedAt) return true;
  return now.getTime() - reviewedAt.getTime() > staleAfterDays * DAY_MS;
}

/** The display name after a set of changes: "First Last" for a person, the legal name for an enterprise. */
export function displayNameAfter(
  kind: CustomerKind,
  changes: ProfileChange[],
  current: { firstName?: string | undefined; lastName?: string | undefined; legalName?: string | undefined },
): string {
  const changed = (column: string) => {
    const c = changes.find((x) => x.column === column);
    return c && typeof c.value === 'string' ? c.value : undefined;
  };
  if (kind === 'INDIVIDUAL') return `${changed('first_name') ?? current.firstName ?? ''} ${changed('last_name') ?? current.lastName ?? ''}`.trim();
  return changed('legal_name') ?? current.legalName ?? '';
}
