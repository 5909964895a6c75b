import { type CountedConnection, decodeCursor, type PageWindow, type Scope } from '@crm/service-kit';
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

/** Documents of a customer file are listed oldest first by id (UUIDv7: the order they were added); unique, so no ties. */
export const documentCursor = (row: CustomerDocumentRow) => [row.id];

/** One page of documents per customer (optionally of one category), `window.limit` each after a cursor, in one query. */
export async function findDocumentPagesOfCustomers(
  db: Kysely<DB>,
  scope: Scope,
  customerIds: readonly string[],
  category: DocumentCategory | null,
  window: PageWindow,
): Promise<CustomerDocumentRow[]> {
  if (!customerIds.length) return [];
  const after = window.after ? String(decodeCursor(window.after, 1)[0]) : null;
  const ranked = db
    .selectFrom('customer_document')
    .selectAll()
    .select((eb) =>
      eb.fn
        .agg<string>('row_number')
        .over((ob) => ob.partitionBy('customer_id').orderBy('id'))
        .as('rn'),
    )
    .where('customer_id', 'in', [...customerIds])
    .$if(scope.kind !== 'all', (q) => q.where('customer_id', 'in', customerIdsInScope(db, scope)))
    .$if(category !== null, (q) => q.where('category', '=', category ?? 'BASIC'))
    .$if(after !== null, (q) => q.where('id', '>', after ?? ''));
  const rows = await db.selectFrom(ranked.as('r')).selectAll().where('rn', '<=', String(window.limit)).orderBy('customer_id').orderBy('id').execute();
  return rows.map(({ rn: _rn, ...row }) => row);
}

/** Number of documents (optionally of one category) of each customer asked for, in one grouped query. */
export async function countDocumentsOfCustomers(
  db: Kysely<DB>,
  scope: Scope,
  customerIds: readonly string[],
  category: DocumentCategory | null,
): Promise<Map<string, number>> {
  if (!customerIds.length) return new Map();
  const rows = await db
    .selectFrom('customer_document')
    .select(['customer_id', (eb) => eb.fn.countAll<string>().as('n')])
    .where('customer_id', 'in', [...customerIds])
    .$if(scope.kind !== 'all', (q) => q.where('customer_id', 'in', customerIdsInScope(db, scope)))
    .$if(category !== null, (q) => q.where('category', '=', category ?? 'BASIC'))
    .groupBy('customer_id')
    .execute();
  return new Map(rows.map((r) => [r.customer_id, Number(r.n)]));
}

/** `Customer.documents`: a page and its lazy count. */
export type DocumentPage = CountedConnection<CustomerDocumentRow>;
