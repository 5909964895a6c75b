import { type CountedConnection, countsOf, type PageWindow, type Parented, type Scope, type SortKey, windowPages } from '@crm/service-kit';
import type { Kysely } from 'kysely';
import { customerIdsInScope } from './customer.store.ts';
import type { CustomerDocumentRow, DB, DocumentCategory } from './schema.ts';

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

/** The documents of many customers (in scope; of one category when given), with the customer as `_parent`. */
const documentsOfCustomers = (db: Kysely<DB>, scope: Scope, customerIds: readonly string[], category: DocumentCategory | null) =>
  db
    .selectFrom('customer_document')
    .selectAll()
    .select('customer_id as _parent')
    .where('customer_id', 'in', [...customerIds])
    .$if(scope.kind !== 'all', (q) => q.where('customer_id', 'in', customerIdsInScope(db, scope)))
    .$if(category !== null, (q) => q.where('category', '=', category ?? 'BASIC'));

/** Documents of a customer file are listed oldest first by id (UUIDv7: the order they were added); unique, so no ties. */
const DOCUMENT_ORDER: readonly SortKey[] = [{ ref: 'id', type: 'text' }];

/** `Customer.documents`: one page per customer (optionally of one category) after a cursor, in one statement. */
export async function findDocumentPagesOfCustomers(
  db: Kysely<DB>,
  scope: Scope,
  customerIds: readonly string[],
  category: DocumentCategory | null,
  window: PageWindow,
): Promise<Parented<CustomerDocumentRow>[]> {
  if (!customerIds.length) return [];
  return windowPages<CustomerDocumentRow>(db, documentsOfCustomers(db, scope, customerIds, category), DOCUMENT_ORDER, 'asc', window);
}

/** Number of documents (optionally of one category) of each customer asked for, in one grouped statement. */
export async function countDocumentsOfCustomers(
  db: Kysely<DB>,
  scope: Scope,
  customerIds: readonly string[],
  category: DocumentCategory | null,
): Promise<Map<string, number>> {
  if (!customerIds.length) return new Map();
  return countsOf(db, documentsOfCustomers(db, scope, customerIds, category));
}

/** `Customer.documents`: a page and its lazy count. */
export type DocumentPage = CountedConnection<CustomerDocumentRow>;
