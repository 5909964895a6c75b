import type { Scope } from '@crm/service-kit';
import type { Kysely } from 'kysely';
import type { CustomerReplicaRow, DB } from './schema.ts';
import { assertCustomerInScope } from './scope.ts';

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
        region: eb.ref('excluded.region'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
}

/** What credit knows of a customer: undefined when unknown, FORBIDDEN when outside the scope. */
export async function findCustomerReplica(db: Kysely<DB>, scope: Scope, id: string): Promise<CustomerReplicaRow | undefined> {
  const row = await db.selectFrom('customer_replica').selectAll().where('id', '=', id).executeTakeFirst();
  if (row) assertCustomerInScope(scope, row);
  return row;
}

/**
 * Applies a later change to the replica: skipped when the replica already reflects a later
 * event (redeliveries and out-of-order events change nothing), and when the customer is unknown.
 */
export async function updateCustomerReplica(
  db: Kysely<DB>,
  id: string,
  changes: Partial<Pick<CustomerReplicaRow, 'branch_id' | 'relationship_manager_id' | 'display_name' | 'industry' | 'region'>>,
  at: Date,
): Promise<void> {
  if (!Object.keys(changes).length) return;
  await db
    .updateTable('customer_replica')
    .set({ ...changes, updated_at: at })
    .where('id', '=', id)
    .where('updated_at', '<=', at)
    .execute();
}
