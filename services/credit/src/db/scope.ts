import { assertInScope, inScopeSql, type Scope } from '@crm/service-kit';
import { type Expression, expressionBuilder, type Kysely, type SqlBool, sql } from 'kysely';
import type { DB } from './schema.ts';

/** Jobs and event handlers: system work across every branch. */
export const SYSTEM_SCOPE: Scope = { kind: 'all' };

/**
 * The scope as a predicate over a column holding a customer id: the customer's branch and
 * relationship manager come from credit's customer replica (kept current by the customers
 * events). A branch-bound caller never sees a row whose customer is not in the replica.
 */
export function customerInScope(scope: Scope, customerIdColumn: string): Expression<SqlBool> {
  if (scope.kind === 'all') return sql<SqlBool>`true`;
  const eb = expressionBuilder<DB, 'customer_replica'>();
  const predicate = inScopeSql(scope, 'scope_r.branch_id', 'scope_r.relationship_manager_id')(eb);
  return sql<SqlBool>`exists (select 1 from customer_replica scope_r where scope_r.id = ${sql.ref(customerIdColumn)} and ${predicate})`;
}

/** The branch and relationship manager of a loan's customer (null when the customer is not replicated). */
async function loanOwner(db: Kysely<DB>, loanId: string): Promise<{ branchId: string | null; managerId: string | null } | undefined> {
  const row = await db
    .selectFrom('loan as l')
    .leftJoin('customer_replica as r', 'r.id', 'l.customer_id')
    .select(['r.branch_id', 'r.relationship_manager_id'])
    .where('l.id', '=', loanId)
    .executeTakeFirst();
  return row ? { branchId: row.branch_id, managerId: row.relationship_manager_id } : undefined;
}

/** FORBIDDEN when the loan exists but its customer is outside the scope; nothing for an unknown loan. */
export async function assertLoanInScope(db: Kysely<DB>, scope: Scope, loanId: string): Promise<void> {
  if (scope.kind === 'all') return;
  const owner = await loanOwner(db, loanId);
  if (owner) assertInScope(scope, owner, 'loan');
}

/** FORBIDDEN when the customer is outside the scope (an unreplicated customer is outside every branch). */
export function assertCustomerInScope(scope: Scope, customer: { branch_id: string; relationship_manager_id: string | null }): void {
  assertInScope(scope, { branchId: customer.branch_id, managerId: customer.relationship_manager_id }, 'customer');
}
