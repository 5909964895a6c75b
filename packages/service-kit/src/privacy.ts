import { createHmac } from 'node:crypto';
import type { Identity, Role } from './auth.ts';

/**
 * The sensitive data of the platform, in one place, with who may read it. A schema field marked
 * `@sensitive(data: "<class>")` resolves to null with a FORBIDDEN error on its path for anyone
 * else; classes with `auditReads` leave an audit record of who viewed whose value.
 * Analysts never get raw identity data: they see pseudonyms, birth years and aggregates.
 */
export const SENSITIVE_DATA = {
  nationalId: {
    label: 'national id or registration number',
    roles: ['loan_officer', 'branch_manager', 'administrator'],
    auditReads: true,
  },
  personalIdentity: {
    label: 'names, full birth date, place of work',
    roles: ['loan_officer', 'branch_manager', 'risk_officer', 'service_agent', 'administrator'],
    auditReads: false,
  },
  contact: {
    label: 'phone, email, postal address',
    roles: ['loan_officer', 'branch_manager', 'risk_officer', 'service_agent', 'administrator'],
    auditReads: false,
  },
  financial: {
    label: 'financial snapshots, income and debts of a named customer',
    roles: ['loan_officer', 'branch_manager', 'risk_officer', 'administrator'],
    auditReads: false,
  },
  documents: {
    label: 'the customer file',
    roles: ['loan_officer', 'branch_manager', 'risk_officer', 'service_agent', 'administrator'],
    auditReads: false,
  },
  freeText: {
    label: 'free-text notes and complaint descriptions',
    roles: ['loan_officer', 'branch_manager', 'risk_officer', 'service_agent', 'administrator'],
    auditReads: false,
  },
} as const satisfies Record<string, { label: string; roles: readonly Role[]; auditReads: boolean }>;

export type SensitiveData = keyof typeof SENSITIVE_DATA;

export const isSensitiveData = (value: string): value is SensitiveData => Object.hasOwn(SENSITIVE_DATA, value);

/** Whether the caller may read raw values of a sensitive class. */
export function mayRead(identity: Identity, data: SensitiveData): boolean {
  const roles: readonly Role[] = SENSITIVE_DATA[data].roles;
  return identity.roles.some((r) => roles.includes(r));
}

/** True for callers who get pseudonymised rows (analysts without another customer-facing role). */
export function seesPseudonyms(identity: Identity): boolean {
  return !mayRead(identity, 'personalIdentity');
}

const PSEUDONYM_KEY = 'lender-crm-pseudonym-v1';

/** A stable pseudonym for a customer id: the same on every page and every export, not reversible without the key. */
export function pseudonym(customerId: string, key = PSEUDONYM_KEY): string {
  const digest = createHmac('sha256', key).update(customerId).digest('hex').toUpperCase();
  return `Customer ${digest.slice(0, 4)}-${digest.slice(4, 8)}`;
}

/** Field names whose values never appear in clear in audit records, logs or dead letters. */
export const MASKED_FIELDS = [
  'nationalId',
  'national_id',
  'registrationNumber',
  'registration_number',
  'birthDate',
  'birth_date',
  'phone',
  'email',
  'addressLine',
  'address_line',
  'line1',
  'line2',
  'firstName',
  'first_name',
  'lastName',
  'last_name',
] as const;

/** Masks a value for the record: keeps its shape (length, last two characters) only. */
export function maskValue(value: unknown): unknown {
  if (value === null || value === undefined) return value;
  const text = String(value);
  return text.length <= 2 ? '**' : `${'*'.repeat(Math.min(text.length - 2, 8))}${text.slice(-2)}`;
}

/** A deep copy with every masked field's value masked (audit before/after, dead-letter payloads). */
export function maskPersonalData<T>(value: T): T {
  const masked = new Set<string>(MASKED_FIELDS);
  const walk = (v: unknown, key?: string): unknown => {
    if (key && masked.has(key)) return typeof v === 'object' && v !== null ? '[masked]' : maskValue(v);
    if (Array.isArray(v)) return v.map((x) => walk(x));
    if (v && typeof v === 'object' && !(v instanceof Date)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  return walk(value) as T;
}
