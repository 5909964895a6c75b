import type { Kysely } from 'kysely';
import type { ConsentReplicaTable, DB } from './schema.ts';

/** Records a consent change unless a newer change for the same purpose is already held. */
export async function upsertConsent(db: Kysely<DB>, row: ConsentReplicaTable): Promise<boolean> {
  const result = await db
    .insertInto('consent_replica')
    .values(row)
    .onConflict((oc) =>
      oc
        .columns(['customer_id', 'purpose'])
        .doUpdateSet((eb) => ({ granted: eb.ref('excluded.granted'), channel: eb.ref('excluded.channel'), changed_at: eb.ref('excluded.changed_at') }))
        .where('consent_replica.changed_at', '<=', row.changed_at),
    )
    .returning('customer_id')
    .executeTakeFirst();
  return result !== undefined;
}

/** True only when the customer's latest word on this purpose is a grant (no record: no consent). */
export async function hasConsent(db: Kysely<DB>, customerId: string, purpose: string): Promise<boolean> {
  const row = await db.selectFrom('consent_replica').select('granted').where('customer_id', '=', customerId).where('purpose', '=', purpose).executeTakeFirst();
  return row?.granted === true;
}

/** Of these customers, those who consent to this purpose. */
export async function findConsentingCustomerIds(db: Kysely<DB>, customerIds: readonly string[], purpose: string): Promise<Set<string>> {
  if (!customerIds.length) return new Set();
  const rows = await db
    .selectFrom('consent_replica')
    .select('customer_id')
    .where('customer_id', 'in', [...customerIds])
    .where('purpose', '=', purpose)
    .where('granted', '=', true)
    .execute();
  return new Set(rows.map((r) => r.customer_id));
}
