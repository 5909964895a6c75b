import { isoDate, requireIdentity } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';

export const runEndOfDay: MutationResolvers['runEndOfDay'] = async (_parent, { input }, ctx) => {
  requireIdentity(ctx);
  const empty = { asOf: null, loansEvaluated: 0, bucketChanges: 0, riskClassChanges: 0, overdueInstalments: 0, warningsRaised: 0 };
  if (input.asOf > isoDate(ctx.now())) {
    return { ...empty, userErrors: [{ field: 'asOf', code: 'DATE_IN_FUTURE', message: 'an end-of-day run cannot be for a future date' }] };
  }
  const r = await ctx.jobs.run('end-of-day', input.asOf);
  if (r.skipped) return { ...empty, userErrors: [{ field: 'asOf', code: 'RUN_IN_PROGRESS', message: 'an end-of-day run is already in progress' }] };
  return {
    asOf: input.asOf,
    loansEvaluated: r.loansEvaluated ?? 0,
    bucketChanges: r.bucketChanges ?? 0,
    riskClassChanges: r.riskClassChanges ?? 0,
    overdueInstalments: r.overdueInstalments ?? 0,
    warningsRaised: r.warningsRaised ?? 0,
    userErrors: [],
  };
};
