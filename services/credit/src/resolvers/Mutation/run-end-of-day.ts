import { requireIdentity, runJobAsCaller } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';

/** The end-of-day run with its own counts; the same as `runCreditJob(job: END_OF_DAY)`. */
export const runEndOfDay: MutationResolvers['runEndOfDay'] = async (_parent, { input }, ctx) => {
  requireIdentity(ctx);
  const { run, userErrors } = await runJobAsCaller(ctx, 'end-of-day', input.asOf);
  if (!run || userErrors.length) {
    return { run, asOf: null, loansEvaluated: 0, bucketChanges: 0, riskClassChanges: 0, overdueInstalments: 0, warningsRaised: 0, userErrors };
  }
  const r = run.counts;
  return {
    run,
    asOf: input.asOf,
    loansEvaluated: r.loansEvaluated ?? 0,
    bucketChanges: r.bucketChanges ?? 0,
    riskClassChanges: r.riskClassChanges ?? 0,
    overdueInstalments: r.overdueInstalments ?? 0,
    warningsRaised: r.warningsRaised ?? 0,
    userErrors: [],
  };
};
