import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { findGradeThresholds, replaceGradeThresholds } from '../../db/policy.store.ts';
import { validateThresholds } from '../../domain/thresholds.ts';

/** Administrators replace the grade floors (applied by the next grade evaluation). */
export const setCustomerGradeThresholds: MutationResolvers['setCustomerGradeThresholds'] = async (_parent, { input }, ctx) => {
  const result = validateThresholds(input.thresholds);
  if (!result.ok) return { thresholds: [], userErrors: result.errors };
  await replaceGradeThresholds(
    ctx.db,
    result.thresholds.map((t) => ({ grade: t.grade, min_score: t.minScore })),
  );
  return { thresholds: await findGradeThresholds(ctx.db), userErrors: [] };
};
