import type { Kysely } from 'kysely';
import type { DB, LoanRow } from './schema.ts';

/** A customer as credit knows it: a reference by id (the customers subgraph owns the rest). */
export interface CustomerRef {
  id: string;
}

export async function findLoansByIds(db: Kysely<DB>, ids: readonly string[]): Promise<LoanRow[]> {
  if (!ids.length) return [];
  return db
    .selectFrom('loan')
    .selectAll()
    .where('id', 'in', [...ids])
    .execute();
}

/** Every loan of these customers, newest first, in one query. */
export async function findLoansByCustomerIds(db: Kysely<DB>, customerIds: readonly string[]): Promise<LoanRow[]> {
  if (!customerIds.length) return [];
  return db
    .selectFrom('loan')
    .selectAll()
    .where('customer_id', 'in', [...customerIds])
    .orderBy('id', 'desc')
    .execute();
}
