import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { setGradeThresholds } from '../../commands/set-grade-thresholds.ts';
import { findGradeThresholds } from '../../db/policy.store.ts';

/** Administrators replace the grade floors (applied by the next grade evaluation). */
export const setCustomerGradeThresholds: MutationResolvers['setCustomerGradeThresholds'] = async (_parent, { input }, ctx) => {
  const { userErrors } = await setGradeThresholds(ctx, input);
  if (userErrors.length) return { thresholds: [], userErrors };
  return { thresholds: await findGradeThresholds(ctx.db), userErrors: [] };
};
