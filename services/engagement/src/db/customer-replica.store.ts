import { assertInScope, inScope, inScopeSql, type Scope } from '@crm/service-kit';
import type { Kysely } from 'kysely';
import type { CustomerReplicaRow, CustomerStatus, DB } from './schema.ts';

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

/** A customer to act on: undefined when unknown here, FORBIDDEN when outside the scope. */
export async function findCustomerReplica(db: Kysely<DB>, scope: Scope, id: string): Promise<CustomerReplicaRow | undefined> {
  const row = await db.selectFrom('customer_replica').selectAll().where('id', '=', id).executeTakeFirst();
  if (row) assertInScope(scope, { branchId: row.branch_id, managerId: row.relationship_manager_id });
  return row;
}

/** Customers to act on, by id (unknown ones are left out): FORBIDDEN when any of them is outside the scope. */
export async function findCustomerReplicas(db: Kysely<DB>, scope: Scope, ids: readonly string[]): Promise<CustomerReplicaRow[]> {
  if (!ids.length) return [];
  const rows = await db
    .selectFrom('customer_replica')
    .selectAll()
    .where('id', 'in', [...ids])
    .execute();
  for (const row of rows) assertInScope(scope, { branchId: row.branch_id, managerId: row.relationship_manager_id });
  return rows;
}

/** Whether a replica row is within a scope. */
export const replicaInScope = (scope: Scope, row: CustomerReplicaRow) => inScope(scope, { branchId: row.branch_id, managerId: row.relationship_manager_id });

/** Customers of a branch or of a relationship manager (engagement's replica: the dispatch "segments" it can serve). */
export async function findCustomerReplicasBy(
  db: Kysely<DB>,
  scope: Scope,
  by: { branchId?: string | null; relationshipManagerId?: string | null },
): Promise<CustomerReplicaRow[]> {
  return db
    .selectFrom('customer_replica')
    .selectAll()
    .where(inScopeSql(scope, 'customer_replica.branch_id', 'customer_replica.relationship_manager_id'))
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

/** A profile change of a known customer, unless the replica holds a newer state already; false when nothing changed. */
export async function applyCustomerProfileChange(
  db: Kysely<DB>,
  customerId: string,
  change: { branch_id?: string; birth_date?: string | null; at: Date },
): Promise<boolean> {
  const { at, ...fields } = change;
  const row = await db
    .updateTable('customer_replica')
    .set({ ...fields, updated_at: at })
    .where('id', '=', customerId)
    .where('updated_at', '<=', at)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Records a status the customer took (once per event), for the churn and retention KPIs. */
export async function recordCustomerStatus(db: Kysely<DB>, row: { eventId: string; customerId: string; status: CustomerStatus; at: Date }): Promise<void> {
  await db
    .insertInto('customer_status_replica')
    .values({ event_id: row.eventId, customer_id: row.customerId, status: row.status, changed_at: row.at })
    .onConflict((oc) => oc.column('event_id').doNothing())
    .execute();
}
