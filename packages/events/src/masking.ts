import { createHash } from 'node:crypto';

/**
 * Personal data never appears in clear in audit records, logs or dead-letter rows. Masking is by
 * field name: any property with one of these names, at any depth, and any `{ field, oldValue,
 * newValue }` change whose `field` is one of them (as in CustomerProfileUpdated).
 */
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
  'displayName',
  'display_name',
] as const;

const masked = new Set<string>(MASKED_FIELDS);

/** Masks a value for the record: keeps its shape (length, last two characters) only. */
export function maskValue(value: unknown): unknown {
  if (value === null || value === undefined) return value;
  const text = String(value);
  return text.length <= 2 ? '**' : `${'*'.repeat(Math.min(text.length - 2, 8))}${text.slice(-2)}`;
}

/** A deep copy with every masked field's value masked (audit before/after, log lines, dead-letter payloads). */
export function maskPersonalData<T>(value: T): T {
  const walk = (v: unknown, key?: string): unknown => {
    if (key && masked.has(key)) return typeof v === 'object' && v !== null ? '[masked]' : maskValue(v);
    if (Array.isArray(v)) return v.map((x) => walk(x));
    if (v instanceof Error) return v;
    if (v && typeof v === 'object' && !(v instanceof Date)) {
      const entries = Object.entries(v);
      const changeOfMasked = typeof (v as { field?: unknown }).field === 'string' && masked.has((v as { field: string }).field);
      return Object.fromEntries(
        entries.map(([k, x]) => [k, changeOfMasked && (k === 'oldValue' || k === 'newValue' || k === 'old' || k === 'new') ? maskValue(x) : walk(x, k)]),
      );
    }
    return v;
  };
  return walk(value) as T;
}

/**
 * A serialized event (JSON) with its personal data masked, for rows people read (dead letters).
 * Text that is not JSON is replaced by its length and digest: it may hold anything.
 */
export function maskSerializedPayload(payload: string): string {
  try {
    return JSON.stringify(maskPersonalData(JSON.parse(payload)));
  } catch {
    return JSON.stringify({ unparseable: true, bytes: Buffer.byteLength(payload), sha256: createHash('sha256').update(payload).digest('hex') });
  }
}

/** Database error details name the offending value (`Key (national_id)=(…) already exists`): masked. */
export function maskErrorDetail(detail: string): string {
  return detail.replace(/=\((.*)\)/g, (_m, v: string) => `=(${String(maskValue(v))})`);
}
