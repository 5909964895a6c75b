import type { UserError } from '@crm/service-kit';

export interface RewardOffer {
  active: boolean;
  pointsCost: number;
  /** Null: unlimited. */
  stock: number | null;
  /** Rank of the lowest tier allowed; null: every tier. */
  minTierRank: number | null;
}

/**
 * Whether a member may redeem a reward now. Checked inside the redemption transaction, after the
 * account row is locked, so the balance cannot change between this check and the debit.
 */
export function checkRedemption(reward: RewardOffer | null, balance: number, memberTierRank: number): UserError[] {
  if (!reward?.active) return [{ field: 'rewardId', code: 'REWARD_NOT_FOUND', message: 'No such reward in the catalogue' }];
  if (reward.stock !== null && reward.stock <= 0) return [{ field: 'rewardId', code: 'OUT_OF_STOCK', message: 'This reward is out of stock' }];
  if (reward.minTierRank !== null && memberTierRank < reward.minTierRank) {
    return [{ field: 'rewardId', code: 'TIER_NOT_ELIGIBLE', message: "This reward is above the member's tier" }];
  }
  if (balance < reward.pointsCost) {
    return [{ field: 'rewardId', code: 'INSUFFICIENT_POINTS', message: `The reward costs ${reward.pointsCost} points; the balance is ${balance}` }];
  }
  return [];
}

/** Whether an adjustment may be applied: a debit never takes the balance below zero. */
export function checkAdjustment(points: number, balance: number): UserError[] {
  if (points < 0 && balance + points < 0) {
    return [{ field: 'points', code: 'INSUFFICIENT_POINTS', message: `Cannot remove ${-points} points; the balance is ${balance}` }];
  }
  return [];
}
