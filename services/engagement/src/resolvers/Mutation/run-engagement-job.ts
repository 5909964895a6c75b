import { isCalendarDate, jobNameOf, jobRunPayload, requireIdentity, runJobAsCaller } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';

/** Runs an engagement job now for a date (today or earlier); recorded in engagementJobRuns. */
export const runEngagementJob: MutationResolvers['runEngagementJob'] = async (_parent, { input }, ctx) => {
  requireIdentity(ctx);
  if (!isCalendarDate(input.asOf))
    return { run: null, counts: [], userErrors: [{ field: 'asOf', code: 'INVALID_DATE', message: 'must be a date YYYY-MM-DD' }] };
  // the run is recorded as `job:<name>` by the administrator who asked for it, not by the scheduler
  return jobRunPayload(await runJobAsCaller(ctx, jobNameOf(input.job), input.asOf));
};
