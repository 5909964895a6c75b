import { requireIdentity } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { runCustomersJob } from '../../commands/run-grade-evaluation.ts';

/**
 * Administrators run the grade evaluation for a business date, today or earlier (the scheduled
 * run uses today). Repeatable for any such date; the same as `runCustomersJob(job: GRADE_EVALUATION)`
 * with the run's counts spelt out.
 */
export const runGradeEvaluation: MutationResolvers['runGradeEvaluation'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  const { run, userErrors } = await runCustomersJob(ctx, identity, { job: 'grade-evaluation', asOf: input.asOf }, 'runGradeEvaluation');
  if (!run || userErrors.length) return { run, result: null, userErrors };
  const counts = run.counts;
  return {
    run,
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
