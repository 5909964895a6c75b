import { requireIdentity, runCommand, type UserError } from '@crm/service-kit';
import type { SetBranchManagerInput } from '../__generated__/resolvers-types.ts';
import type { EngagementContext } from '../context.ts';
import { saveBranchManager } from '../db/monitoring.store.ts';
import type { BranchManagerRow } from '../db/schema.ts';

export type BranchManagerResult = { branchManager: BranchManagerRow | null; userErrors: UserError[] };

/**
 * Names the manager of a branch, who gets a task for each overdue credit review of the branch's
 * customers. Administrators for any branch; a branch manager for their own branch only
 * (OUT_OF_SCOPE otherwise). Audited with the manager before and after.
 */
export async function setBranchManager(ctx: EngagementContext, input: SetBranchManagerInput): Promise<BranchManagerResult> {
  const identity = requireIdentity(ctx);
  const branchId = input.branchId.trim();
  const managerId = input.managerId.trim();
  return runCommand(ctx, { action: 'setBranchManager', entityType: 'BranchManager', entityId: branchId || null }, async (tx, audit) => {
    const errors: UserError[] = [];
    if (!branchId) errors.push({ field: 'branchId', code: 'REQUIRED', message: 'must not be blank' });
    if (!managerId) errors.push({ field: 'managerId', code: 'REQUIRED', message: 'must not be blank' });
    if (branchId.length > 100 || managerId.length > 100) errors.push({ field: 'managerId', code: 'TOO_BIG', message: 'ids are at most 100 characters' });
    if (ctx.scope.kind !== 'all' && branchId && ctx.scope.branchId !== branchId)
      errors.push({ field: 'branchId', code: 'OUT_OF_SCOPE', message: 'A branch manager may name the manager of their own branch only' });
    if (errors.length) return { branchManager: null, userErrors: errors };
    const { before, after } = await saveBranchManager(tx, { branchId, managerId, by: identity.userId, at: ctx.now() });
    audit.changes(before ? { managerId: before.manager_id } : null, { managerId: after.manager_id });
    return { branchManager: after, userErrors: [] };
  });
}
