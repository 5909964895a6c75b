import { assertInScope, inScopeSql, type Scope } from '@crm/service-kit';
import { type Expression, expressionBuilder, type Kysely, type SqlBool, sql } from 'kysely';
import type { DB } from './schema.ts';

/** Jobs and event handlers: system work across every branch. */
export const SYSTEM_SCOPE: Scope = { kind: 'all' };

/**
 * The scope as a predicate over a column holding a customer id: the customer's branch and
 * relationship manager come from engagement's customer replica (kept current by the customers
 * events). A branch-bound caller never sees a row whose customer is not in the replica.
 */
export function customerInScope(scope: Scope, customerIdColumn: string): Expression<SqlBool> {
  if (scope.kind === 'all') return sql<SqlBool>`true`;
  const eb = expressionBuilder<DB, 'customer_replica'>();
  const predicate = inScopeSql(scope, 'scope_r.branch_id', 'scope_r.relationship_manager_id')(eb);
  return sql<SqlBool>`exists (select 1 from customer_replica scope_r where scope_r.id = ${sql.ref(customerIdColumn)} and ${predicate})`;
}

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
