import type { Kysely } from 'kysely';
import type { CustomerReplicaRow, DB } from './schema.ts';

/** Inserts or refreshes what engagement knows of a customer. */
export async function upsertCustomerReplica(db: Kysely<DB>, row: CustomerReplicaRow): Promise<void> {
  await db
    .insertInto('customer_replica')
    .values(row)
    .onConflict((oc) =>
      oc.column('id').doUpdateSet((eb) => ({
        display_name: eb.ref('excluded.display_name'),
        branch_id: eb.ref('excluded.branch_id'),
        relationship_manager_id: eb.ref('excluded.relationship_manager_id'),
        birth_date: eb.ref('excluded.birth_date'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
}

export async function findCustomerReplica(db: Kysely<DB>, id: string): Promise<CustomerReplicaRow | undefined> {
  return db.selectFrom('customer_replica').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findCustomerReplicas(db: Kysely<DB>, ids: readonly string[]): Promise<CustomerReplicaRow[]> {
  if (!ids.length) return [];
  return db
    .selectFrom('customer_replica')
    .selectAll()
    .where('id', 'in', [...ids])
    .execute();
}

/** Customers of a branch or of a relationship manager (engagement's replica: the dispatch "segments" it can serve). */
export async function findCustomerReplicasBy(
  db: Kysely<DB>,
  by: { branchId?: string | null; relationshipManagerId?: string | null },
): Promise<CustomerReplicaRow[]> {
  return db
    .selectFrom('customer_replica')
    .selectAll()
    .$if(!!by.branchId, (q) => q.where('branch_id', '=', by.branchId ?? ''))
    .$if(!!by.relationshipManagerId, (q) => q.where('relationship_manager_id', '=', by.relationshipManagerId ?? ''))
    .orderBy('id')
    .execute();
}

/** A new relationship manager (and branch) for a known customer; false when the customer is unknown here. */
export async function setRelationshipManager(db: Kysely<DB>, customerId: string, managerId: string, branchId: string, at: Date): Promise<boolean> {
  const row = await db
    .updateTable('customer_replica')
    .set({ relationship_manager_id: managerId, branch_id: branchId, updated_at: at })
    .where('id', '=', customerId)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** The customer's relationship manager, or null (unknown customer or none assigned). */
export async function findRelationshipManagerId(db: Kysely<DB>, customerId: string): Promise<string | null> {
  const row = await db.selectFrom('customer_replica').select('relationship_manager_id').where('id', '=', customerId).executeTakeFirst();
  return row?.relationship_manager_id ?? null;
}
