import { assertInScope, customerInReplicaScope, inScopeSql, type Scope } from '@crm/service-kit';
import { type Expression, expressionBuilder, type Kysely, type SqlBool, sql } from 'kysely';
import type { DB } from './schema.ts';

export { SYSTEM_SCOPE } from '@crm/service-kit';

/** The scope over a customer-id column, through this service's customer replica. */
export const customerInScope = (scope: Scope, customerIdColumn: string): Expression<SqlBool> => customerInReplicaScope(scope, customerIdColumn);

/** The scope over a row's own branch column (care events); rows without a branch belong to every branch. */
export function branchInScope(scope: Scope, branchColumn: string): Expression<SqlBool> {
  if (scope.kind === 'all') return sql<SqlBool>`true`;
  const eb = expressionBuilder<DB, 'care_event'>();
  const predicate = inScopeSql({ ...scope, managerId: null }, branchColumn)(eb);
  return sql<SqlBool>`(${sql.ref(branchColumn)} is null or ${predicate})`;
}

/**
 * FORBIDDEN unless the customer is within the scope; `what` names the record in the message
 * (a task, a complaint ...). A customer missing from the replica is outside every branch.
 */
export async function assertCustomerInScope(db: Kysely<DB>, scope: Scope, customerId: string, what = 'customer'): Promise<void> {
  if (scope.kind === 'all') return;
  const c = await db.selectFrom('customer_replica').select(['branch_id', 'relationship_manager_id']).where('id', '=', customerId).executeTakeFirst();
  assertInScope(scope, { branchId: c?.branch_id ?? null, managerId: c?.relationship_manager_id ?? null }, what);
}

/** FORBIDDEN unless a row with its own branch (a care event) is within the scope; branchless rows are everyone's. */
export function assertBranchInScope(scope: Scope, branchId: string | null, what: string): void {
  if (scope.kind === 'all' || branchId === null) return;
  assertInScope({ ...scope, managerId: null }, { branchId }, what);
}
