import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { cancelRedemption as cancelRedemptionCommand } from '../../commands/cancel-redemption.ts';

/** Cancels a redemption: refunds its points and returns the reward to stock. */
export const cancelRedemption: MutationResolvers['cancelRedemption'] = async (_parent, { input }, ctx) => {
  const reason = input.reason.trim();
  if (!reason) return { redemption: null, userErrors: [{ field: 'reason', code: 'REQUIRED', message: 'must not be blank' }] };
  const { userErrors } = await cancelRedemptionCommand(ctx, { redemptionId: input.redemptionId, reason });
  if (userErrors.length) return { redemption: null, userErrors };
  return { redemption: await ctx.loaders.redemption.load(input.redemptionId), userErrors: [] };
};
