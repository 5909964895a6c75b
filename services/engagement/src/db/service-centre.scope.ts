import { assertInScope, inScopeSql, type Scope } from '@crm/service-kit';
import { expressionBuilder, type Kysely, type SqlBool, sql } from 'kysely';
import type { DB } from './schema.ts';
import { assertCustomerInScope, customerInScope } from './scope.ts';

/**
 * Branch scope of the service centre's records (enquiries, leads): a customer's record is in scope
 * when the customer is (through the replica: branch, and a loan officer's own customers); a
 * prospect's record (no customer yet) by its own branch, and for a loan officer also when they own it.
 */
export function customerOrBranchInScope(scope: Scope, columns: { customerId: string; branchId: string; ownerId?: string }) {
  if (scope.kind === 'all') return sql<SqlBool>`true`;
  const byBranch = inScopeSql(scope, columns.branchId, columns.ownerId)(expressionBuilder<DB, 'enquiry'>());
  return sql<SqlBool>`(case when ${sql.ref(columns.customerId)} is null then ${byBranch} else ${customerInScope(scope, columns.customerId)} end)`;
}

/** FORBIDDEN unless one such record is in scope (see customerOrBranchInScope); `what` names it in the message. */
export async function assertCustomerOrBranchInScope(
  db: Kysely<DB>,
  scope: Scope,
  row: { customerId: string | null; branchId: string; ownerId?: string | null },
  what: string,
): Promise<void> {
  if (scope.kind === 'all') return;
  if (row.customerId) return assertCustomerInScope(db, scope, row.customerId, what);
  assertInScope(scope, { branchId: row.branchId, managerId: row.ownerId ?? null }, what);
}
