import type { Scope } from '@crm/service-kit';
import type { Kysely } from 'kysely';
import { customerIdsInScope } from './customer.store.ts';
import type { CustomerDocumentRow, DB } from './schema.ts';

export async function insertDocument(db: Kysely<DB>, row: CustomerDocumentRow): Promise<void> {
  await db.insertInto('customer_document').values(row).execute();
}

export async function findDocumentByIdempotencyKey(db: Kysely<DB>, key: string): Promise<CustomerDocumentRow | undefined> {
  return db.selectFrom('customer_document').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
}

/** Documents of many customers in one query, oldest first. */
export async function findDocumentsOfCustomers(db: Kysely<DB>, scope: Scope, customerIds: readonly string[]): Promise<CustomerDocumentRow[]> {
  if (!customerIds.length) return [];
  return db
    .selectFrom('customer_document')
    .selectAll()
    .where('customer_id', 'in', [...customerIds])
    .$if(scope.kind !== 'all', (q) => q.where('customer_id', 'in', customerIdsInScope(db, scope)))
    .orderBy('customer_id')
    .orderBy('id')
    .execute();
}
