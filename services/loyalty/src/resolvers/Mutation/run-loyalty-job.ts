import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { runLoyaltyJob as command } from '../../commands/run-loyalty-job.ts';

/** Runs a loyalty job now for a date (administrators); each job is repeatable for its date. */
export const runLoyaltyJob: MutationResolvers['runLoyaltyJob'] = async (_parent, { input }, ctx) => {
  const { counts } = await command(ctx, input);
  return { counts: Object.entries(counts).map(([name, value]) => ({ name, value })), userErrors: [] };
};
