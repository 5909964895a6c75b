import { requireIdentity } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { runGradeEvaluation as command } from '../../commands/run-grade-evaluation.ts';

/**
 * Administrators run the grade evaluation for a business date (the scheduled run uses today;
 * a later date simulates the passing of at-risk windows). Repeatable for any date.
 */
export const runGradeEvaluation: MutationResolvers['runGradeEvaluation'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  const { counts, userErrors } = await command(ctx, identity, input);
  if (!counts) return { result: null, userErrors };
  return {
    result: {
      asOf: input.asOf,
      scored: counts.scored ?? 0,
      initialGrades: counts.initialGrades ?? 0,
      upgrades: counts.upgrades ?? 0,
      atRiskOpened: counts.atRiskOpened ?? 0,
      atRiskCancelled: counts.atRiskCancelled ?? 0,
      downgrades: counts.downgrades ?? 0,
    },
    userErrors: [],
  };
};
