import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';

const JOB_NAMES = { POINTS_EXPIRY: 'points-expiry', TIER_EVALUATION: 'tier-evaluation', BIRTHDAY_BONUS: 'birthday-bonus' } as const;

/** Runs a loyalty job now for a date (administrators); each job is repeatable for its date. */
export const runLoyaltyJob: MutationResolvers['runLoyaltyJob'] = async (_parent, { input }, ctx) => {
  const counts = await ctx.jobs.run(JOB_NAMES[input.job], input.asOf);
  return { counts: Object.entries(counts).map(([name, value]) => ({ name, value })), userErrors: [] };
};
