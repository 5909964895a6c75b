import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { adjustPoints } from './adjust-points.ts';
import { cancelRedemption } from './cancel-redemption.ts';
import { redeemReward } from './redeem-reward.ts';
import { runLoyaltyJob } from './run-loyalty-job.ts';
import { updateLoyaltySettings } from './update-loyalty-settings.ts';
import { upsertEarningRule } from './upsert-earning-rule.ts';
import { upsertLoyaltyTier } from './upsert-loyalty-tier.ts';
import { upsertReward } from './upsert-reward.ts';

export const Mutation: MutationResolvers = {
  adjustPoints,
  redeemReward,
  cancelRedemption,
  upsertReward,
  upsertEarningRule,
  upsertLoyaltyTier,
  updateLoyaltySettings,
  runLoyaltyJob,
};
