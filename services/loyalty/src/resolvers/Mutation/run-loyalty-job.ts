import { jobRunPayload } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { runLoyaltyJob as command } from '../../commands/run-loyalty-job.ts';

/** Runs a loyalty job now for a date, today or earlier (administrators); recorded in loyaltyJobRuns. */
export const runLoyaltyJob: MutationResolvers['runLoyaltyJob'] = async (_parent, { input }, ctx) => {
  return jobRunPayload(await command(ctx, input));
};
