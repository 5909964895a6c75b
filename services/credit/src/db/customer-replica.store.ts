import type { Kysely } from 'kysely';
import type { CustomerReplicaRow, DB } from './schema.ts';

/** Inserts or refreshes what credit knows of a customer. */
export async function upsertCustomerReplica(db: Kysely<DB>, row: CustomerReplicaRow): Promise<void> {
  await db
    .insertInto('customer_replica')
    .values(row)
    .onConflict((oc) =>
      oc.column('id').doUpdateSet((eb) => ({
        display_name: eb.ref('excluded.display_name'),
        kind: eb.ref('excluded.kind'),
        branch_id: eb.ref('excluded.branch_id'),
        relationship_manager_id: eb.ref('excluded.relationship_manager_id'),
        industry: eb.ref('excluded.industry'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
}

export async function findCustomerReplica(db: Kysely<DB>, id: string): Promise<CustomerReplicaRow | undefined> {
  return db.selectFrom('customer_replica').selectAll().where('id', '=', id).executeTakeFirst();
}
