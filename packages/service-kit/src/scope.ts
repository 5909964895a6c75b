import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import type { Identity, Role } from './auth.ts';
import { forbidden } from './errors.ts';

/**
 * Which customers a caller may see and act on (DOMAIN.md section 6): risk officers, analysts,
 * auditors and administrators across branches; branch managers and service agents within their
 * branch; loan officers within their branch and, wherever they are, the customers assigned to
 * them. A branch-bound caller whose token names no branch sees only customers assigned to them.
 */
export type Scope =
  | { kind: 'all' }
  | {
      kind: 'branch';
      /** Null when the token names no branch. */
      branchId: string | null;
      /** Customers whose relationship manager is this user are in scope too (loan officers). */
      managerId: string | null;
    };

const ACROSS_BRANCHES: readonly Role[] = ['administrator', 'risk_officer', 'analyst', 'auditor', 'service'];

export function scopeOf(identity: Identity): Scope {
  if (identity.roles.some((r) => ACROSS_BRANCHES.includes(r))) return { kind: 'all' };
  return {
    kind: 'branch',
    branchId: identity.branchId ?? null,
    managerId: identity.roles.includes('loan_officer') ? identity.userId : null,
  };
}

/** Whether one customer (its branch and relationship manager) is within a scope. */
export function inScope(scope: Scope, customer: { branchId: string | null; managerId?: string | null }): boolean {
  if (scope.kind === 'all') return true;
  if (scope.branchId !== null && customer.branchId === scope.branchId) return true;
  return scope.managerId !== null && customer.managerId === scope.managerId;
}

/** FORBIDDEN unless the customer is within the caller's scope. */
export function assertInScope(scope: Scope, customer: { branchId: string | null; managerId?: string | null }, what = 'customer'): void {
  if (!inScope(scope, customer)) throw forbidden(`This ${what} is outside your branch`);
}

/**
 * The scope as a SQL predicate over a row's branch column and (optionally) relationship-manager
 * column, named as in the query (`customer_replica.branch_id`): every store query of scoped data
 * takes it, so a resolver cannot forget it.
 *
 *   query.where(inScopeSql(scope, 'r.branch_id', 'r.relationship_manager_id'))
 */
export function inScopeSql(
  scope: Scope,
  branchColumn: string,
  managerColumn?: string,
): <DB, TB extends keyof DB>(eb: ExpressionBuilder<DB, TB>) => Expression<SqlBool> {
  return (eb) => {
    if (scope.kind === 'all') return sql<SqlBool>`true`;
    const parts: Expression<SqlBool>[] = [];
    if (scope.branchId !== null) parts.push(eb(sql.ref(branchColumn), '=', scope.branchId));
    if (scope.managerId !== null && managerColumn) parts.push(eb(sql.ref(managerColumn), '=', scope.managerId));
    return parts.length ? eb.or(parts) : sql<SqlBool>`false`;
  };
}

/** Jobs and event handlers: system work across every branch. */
export const SYSTEM_SCOPE: Scope = { kind: 'all' };

/**
 * The scope as a predicate over a column holding a customer id, for services that keep a replica
 * of customers (`id`, `branch_id`, `relationship_manager_id`, kept current by the customers
 * events): a branch-bound caller never sees a row whose customer is not in the replica.
 */
export function customerInReplicaScope(scope: Scope, customerIdColumn: string, replicaTable = 'customer_replica'): Expression<SqlBool> {
  if (scope.kind === 'all') return sql<SqlBool>`true`;
  const parts: Expression<SqlBool>[] = [];
  if (scope.branchId !== null) parts.push(sql<SqlBool>`scope_r.branch_id = ${scope.branchId}`);
  if (scope.managerId !== null) parts.push(sql<SqlBool>`scope_r.relationship_manager_id = ${scope.managerId}`);
  const predicate = parts.length ? sql.join(parts, sql` or `) : sql`false`;
  return sql<SqlBool>`exists (select 1 from ${sql.table(replicaTable)} scope_r where scope_r.id = ${sql.ref(customerIdColumn)} and (${predicate}))`;
}
