import { jobNameOf, requireIdentity, runJobAsCaller } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';

/** Runs a credit job now for a date (today or earlier); recorded in creditJobRuns. */
export const runCreditJob: MutationResolvers['runCreditJob'] = async (_parent, { input }, ctx) => {
  requireIdentity(ctx);
  return runJobAsCaller(ctx, jobNameOf(input.job), input.asOf);
};
