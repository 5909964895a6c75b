import type { Kysely } from 'kysely';
import type { DB } from './schema.ts';

/**
 * What engagement keeps of a customer's grade, special-care needs and preferences, from customers'
 * events (CustomerGradeChanged, SpecialCareChanged, CustomerProfileUpdated `preferences.*`): each
 * part with the instant of the change it last applied, so a redelivered or older event never
 * overwrites a newer one. Preferred channel and language are kept by the notifications' contact
 * replica (`customer_contact_replica`) from `contact.preferredChannel` / `contact.preferredLanguage`.
 */

/** The grade the customer holds from `at` on (unless a newer change is already applied). */
export async function recordCustomerGrade(db: Kysely<DB>, customerId: string, grade: string, at: Date): Promise<void> {
  await db
    .insertInto('customer_service_profile')
    .values({ customer_id: customerId, grade, grade_at: at })
    .onConflict((oc) =>
      oc
        .column('customer_id')
        .doUpdateSet((eb) => ({ grade: eb.ref('excluded.grade'), grade_at: eb.ref('excluded.grade_at') }))
        .where((eb) => eb.or([eb('customer_service_profile.grade_at', 'is', null), eb('customer_service_profile.grade_at', '<=', at)])),
    )
    .execute();
}

/** The special-care needs the customer has from `at` on (unless a newer change is already applied). */
export async function recordCustomerCareNeeds(db: Kysely<DB>, customerId: string, needs: readonly string[], at: Date): Promise<void> {
  const sorted = [...new Set(needs)].sort();
  await db
    .insertInto('customer_service_profile')
    .values({ customer_id: customerId, care_needs: sorted, care_at: at })
    .onConflict((oc) =>
      oc
        .column('customer_id')
        .doUpdateSet((eb) => ({ care_needs: eb.ref('excluded.care_needs'), care_at: eb.ref('excluded.care_at') }))
        .where((eb) => eb.or([eb('customer_service_profile.care_at', 'is', null), eb('customer_service_profile.care_at', '<=', at)])),
    )
    .execute();
}

/** A list as CustomerProfileUpdated carries it: the values joined with ", " (null for none). */
const listOf = (text: string | null) =>
  text
    ? text
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean)
    : [];

/**
 * Applies the preference changes of a CustomerProfileUpdated (fields `preferences.*`), unless a
 * newer change is already applied; false when the event has none.
 */
export async function recordCustomerPreferences(
  db: Kysely<DB>,
  customerId: string,
  changes: readonly { field: string; newValue: string | null }[],
  at: Date,
): Promise<boolean> {
  const set: { contact_time?: string | null; interests?: string[]; education_level?: string | null } = {};
  for (const c of changes) {
    if (c.field === 'preferences.contactTime') set.contact_time = c.newValue;
    if (c.field === 'preferences.interests') set.interests = listOf(c.newValue);
    if (c.field === 'preferences.educationLevel') set.education_level = c.newValue;
  }
  if (!Object.keys(set).length) return false;
  await db
    .insertInto('customer_service_profile')
    .values({ customer_id: customerId, ...set, preferences_at: at })
    .onConflict((oc) =>
      oc
        .column('customer_id')
        .doUpdateSet({ ...set, preferences_at: at })
        .where((eb) => eb.or([eb('customer_service_profile.preferences_at', 'is', null), eb('customer_service_profile.preferences_at', '<=', at)])),
    )
    .execute();
  return true;
}

/** A customer's contact preferences as engagement knows them: for notifications, offers and care. */
export interface ContactPreferences {
  customerId: string;
  /** The window the customer prefers to be contacted in, local time ("HH:MM"), or null. */
  contactTime: { from: string; to: string } | null;
  interests: string[];
  educationLevel: string | null;
}

/** Parses "HH:MM-HH:MM". */
export function contactTimeWindow(text: string | null): { from: string; to: string } | null {
  const m = text ? /^(\d{2}:\d{2})-(\d{2}:\d{2})$/.exec(text) : null;
  return m?.[1] && m[2] ? { from: m[1], to: m[2] } : null;
}

/**
 * The contact preferences of customers (one query): contact time window, interests, education
 * level. Customers without any are answered with none. For the notifications module and offers:
 * `findContactPreferences(db, ids)`; preferred channel and language are in `customer_contact_replica`.
 */
export async function findContactPreferences(db: Kysely<DB>, customerIds: readonly string[]): Promise<ContactPreferences[]> {
  if (!customerIds.length) return [];
  const rows = await db
    .selectFrom('customer_service_profile')
    .select(['customer_id', 'contact_time', 'interests', 'education_level'])
    .where('customer_id', 'in', [...customerIds])
    .execute();
  return customerIds.map((customerId) => {
    const r = rows.find((x) => x.customer_id === customerId);
    return { customerId, contactTime: contactTimeWindow(r?.contact_time ?? null), interests: r?.interests ?? [], educationLevel: r?.education_level ?? null };
  });
}
