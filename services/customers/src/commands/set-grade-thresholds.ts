import { runCommand, type UserError } from '@crm/service-kit';
import type { CustomersContext } from '../context.ts';
import { invalidatePolicyCache } from '../db/policy.cache.ts';
import { findGradeThresholds, replaceGradeThresholds } from '../db/policy.store.ts';
import { validateThresholds } from '../domain/thresholds.ts';

const byGrade = (rows: readonly { grade: string; min_score: string }[]) => Object.fromEntries(rows.map((r) => [r.grade, Number(r.min_score).toFixed(2)]));

/** Replaces the grade floors (applied by the next grade evaluation). */
export function setGradeThresholds(
  ctx: CustomersContext,
  input: { thresholds: Parameters<typeof validateThresholds>[0] },
): Promise<{ userErrors: UserError[] }> {
  // The cached policy and thresholds are dropped once the change committed (or failed).
  return runCommand(ctx, { action: 'setCustomerGradeThresholds', entityType: 'CustomerGradeThresholds', entityId: 'grades' }, async (tx, audit) => {
    const result = validateThresholds(input.thresholds);
    if (!result.ok) return { userErrors: result.errors };
    const before = await findGradeThresholds(tx);
    const rows = result.value.map((t) => ({ grade: t.grade, min_score: t.minScore }));
    await replaceGradeThresholds(tx, rows);
    audit.changes(byGrade(before), byGrade(rows));
    return { userErrors: [] };
  }).finally(() => invalidatePolicyCache(ctx.db));
}
