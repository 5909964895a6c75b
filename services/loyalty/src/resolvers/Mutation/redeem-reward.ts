import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { redeemReward as redeemRewardCommand } from '../../commands/redeem-reward.ts';

/** Spends points on a reward of the catalogue for a member of the caller's branch. */
export const redeemReward: MutationResolvers['redeemReward'] = async (_parent, { input }, ctx) => {
  const outcome = await redeemRewardCommand(ctx, {
    customerId: input.customerId,
    rewardId: input.rewardId,
    idempotencyKey: input.idempotencyKey?.trim() || null,
  });
  if (outcome.redemptionId === null) return { redemption: null, userErrors: outcome.userErrors };
  return { redemption: await ctx.loaders.redemption.load(outcome.redemptionId), userErrors: [] };
};
