import { assertInScope, customerInReplicaScope, type Scope } from '@crm/service-kit';
import type { Expression, Kysely, SqlBool } from 'kysely';
import type { DB } from './schema.ts';

export { SYSTEM_SCOPE } from '@crm/service-kit';

/** The scope over a customer-id column, through this service's customer replica. */
export const customerInScope = (scope: Scope, customerIdColumn: string): Expression<SqlBool> => customerInReplicaScope(scope, customerIdColumn);

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
