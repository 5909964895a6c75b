import type { Kysely } from 'kysely';
import type { CustomerContactReplicaTable, DB } from './schema.ts';

/** The contact fields engagement keeps, by the path customers names them with in CustomerProfileUpdated. */
export const CONTACT_FIELDS = {
  'contact.phone': 'phone',
  'contact.email': 'email',
  'contact.address.region': 'region',
  'contact.address.city': 'city',
  'contact.address.district': 'district',
  'contact.address.line': 'address_line',
  'contact.preferredChannel': 'preferred_channel',
  'contact.preferredLanguage': 'preferred_language',
} as const satisfies Record<string, keyof CustomerContactReplicaTable>;

type ContactColumn = (typeof CONTACT_FIELDS)[keyof typeof CONTACT_FIELDS];

/** The contact details and preferences given at registration (an older registration never overwrites a newer change). */
export async function recordRegisteredContact(
  db: Kysely<DB>,
  customerId: string,
  contact: {
    phone: string | null;
    email: string | null;
    address: { region: string | null; city: string | null; district: string | null; line: string | null } | null;
    preferredChannel: string | null;
    preferredLanguage: string | null;
  },
  at: Date,
): Promise<void> {
  const row = {
    customer_id: customerId,
    phone: contact.phone,
    email: contact.email,
    region: contact.address?.region ?? null,
    city: contact.address?.city ?? null,
    district: contact.address?.district ?? null,
    address_line: contact.address?.line ?? null,
    preferred_channel: contact.preferredChannel,
    preferred_language: contact.preferredLanguage,
    updated_at: at,
  };
  await db
    .insertInto('customer_contact_replica')
    .values(row)
    .onConflict((oc) =>
      oc
        .column('customer_id')
        .doUpdateSet({
          phone: row.phone,
          email: row.email,
          region: row.region,
          city: row.city,
          district: row.district,
          address_line: row.address_line,
          preferred_channel: row.preferred_channel,
          preferred_language: row.preferred_language,
          updated_at: at,
        })
        .where('customer_contact_replica.updated_at', '<', at),
    )
    .execute();
}

/**
 * Applies the contact fields of a profile change (others are ignored); a change older than the
 * one held is ignored, so a redelivery or a late event never goes back in time. False when the
 * change had no contact field or was older.
 */
export async function applyContactChanges(
  db: Kysely<DB>,
  customerId: string,
  changes: readonly { field: string; newValue: string | null }[],
  at: Date,
): Promise<boolean> {
  const set: Partial<Record<ContactColumn, string | null>> = {};
  for (const c of changes) {
    const column = CONTACT_FIELDS[c.field as keyof typeof CONTACT_FIELDS];
    if (column) set[column] = c.newValue;
  }
  if (!Object.keys(set).length) return false;
  const inserted = await db
    .insertInto('customer_contact_replica')
    .values({
      customer_id: customerId,
      phone: null,
      email: null,
      region: null,
      city: null,
      district: null,
      address_line: null,
      preferred_channel: null,
      preferred_language: null,
      ...set,
      updated_at: at,
    })
    .onConflict((oc) =>
      oc
        .column('customer_id')
        .doUpdateSet({ ...set, updated_at: at })
        .where('customer_contact_replica.updated_at', '<=', at),
    )
    .returning('customer_id')
    .executeTakeFirst();
  return inserted !== undefined;
}
