import { isCalendarDate, requireIdentity } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { jobs } from '../../jobs/index.ts';

export const runEngagementJob: MutationResolvers['runEngagementJob'] = async (_parent, { input }, ctx) => {
  requireIdentity(ctx);
  if (!jobs.some((j) => j.name === input.job)) {
    return { counts: [], userErrors: [{ field: 'job', code: 'UNKNOWN_JOB', message: `Jobs: ${jobs.map((j) => j.name).join(', ')}` }] };
  }
  if (!isCalendarDate(input.asOf)) return { counts: [], userErrors: [{ field: 'asOf', code: 'INVALID_DATE', message: 'must be a date YYYY-MM-DD' }] };
  // the run is recorded as `job:<name>` by the administrator who asked for it, not by the scheduler
  const counts = await ctx.jobs.run(input.job, input.asOf, ctx.audit.actor);
  return { counts: Object.entries(counts).map(([name, value]) => ({ name, value })), userErrors: [] };
};
