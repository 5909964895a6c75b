import type { Kysely } from 'kysely';
import type { CustomerStatus, DB } from './schema.ts';

/**
 * Engagement's customer replicas from customers' state records (CustomerState, the compacted topic
 * `crm.customers.customer.state.v1`): the parts the events keep up to date, filled for customers
 * engagement has not heard of (a replica created by a migration, a service deployed after the
 * customers registered: its consumer group reads the topic from the beginning). Each part follows
 * the same "newer wins" rule as its events, so a record older than what is held changes nothing.
 */

/** The customer as engagement acts on it: inserted, or refreshed unless the replica holds a newer change. */
export async function applyCustomerStateReplica(
  db: Kysely<DB>,
  row: { id: string; display_name: string; branch_id: string; relationship_manager_id: string | null; birth_date: string | null; updated_at: Date },
): Promise<void> {
  await db
    .insertInto('customer_replica')
    .values(row)
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet((eb) => ({
          display_name: eb.ref('excluded.display_name'),
          branch_id: eb.ref('excluded.branch_id'),
          relationship_manager_id: eb.ref('excluded.relationship_manager_id'),
          birth_date: eb.ref('excluded.birth_date'),
          updated_at: eb.ref('excluded.updated_at'),
        }))
        .where('customer_replica.updated_at', '<', row.updated_at),
    )
    .execute();
}

/**
 * Consents the replica has no answer for (a state record says what each purpose is now, not when
 * it was given: a held answer, from ConsentChanged with its time, is kept).
 */
export async function fillConsents(db: Kysely<DB>, customerId: string, consents: readonly { purpose: string; granted: boolean }[], at: Date): Promise<void> {
  if (!consents.length) return;
  await db
    .insertInto('consent_replica')
    .values(consents.map((c) => ({ customer_id: customerId, purpose: c.purpose, granted: c.granted, channel: 'STATE_RECORD', changed_at: at })))
    .onConflict((oc) => oc.columns(['customer_id', 'purpose']).doNothing())
    .execute();
}

/** The customer's status when engagement has none on record (the churn KPIs count from it). */
export async function fillCustomerStatus(db: Kysely<DB>, row: { eventId: string; customerId: string; status: CustomerStatus; at: Date }): Promise<void> {
  const held = await db.selectFrom('customer_status_replica').select('event_id').where('customer_id', '=', row.customerId).limit(1).executeTakeFirst();
  if (held) return;
  await db
    .insertInto('customer_status_replica')
    .values({ event_id: row.eventId, customer_id: row.customerId, status: row.status, changed_at: row.at })
    .onConflict((oc) => oc.column('event_id').doNothing())
    .execute();
}
