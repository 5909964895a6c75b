import { Decimal } from 'decimal.js';
import type {
  LoyaltyEarningRuleResolvers,
  LoyaltyRedemptionConnectionResolvers,
  LoyaltyRedemptionResolvers,
  LoyaltyRewardResolvers,
  LoyaltySettingsResolvers,
  LoyaltyTierBenefitsResolvers,
  LoyaltyTierResolvers,
} from '../__generated__/resolvers-types.ts';

export const LoyaltyTier: LoyaltyTierResolvers = {
  benefits: (t) => t,
};

export const LoyaltyTierBenefits: LoyaltyTierBenefitsResolvers = {
  rateDiscountBps: (t) => t.rate_discount_bps,
  feeWaiversPerYear: (t) => t.fee_waivers_per_year,
  priorityService: (t) => t.priority_service,
  dedicatedManager: (t) => t.dedicated_manager,
  birthdayGift: (t) => t.birthday_gift,
};

export const LoyaltyEarningRule: LoyaltyEarningRuleResolvers = {
  // numeric(12, 6) comes back padded ("0.010000"): shown without trailing zeros.
  rate: (r) => (r.rate === null ? null : new Decimal(r.rate).toFixed()),
  tierMultiplier: (r) => r.tier_multiplier,
};

export const LoyaltySettings: LoyaltySettingsResolvers = {
  pointsValidityMonths: (s) => s.points_validity_months,
  expiryWarningDays: (s) => s.expiry_warning_days,
  tierWindowMonths: (s) => s.tier_window_months,
  tierGraceDays: (s) => s.tier_grace_days,
  // numeric(18, 6) comes back padded: shown without trailing zeros.
  pointValue: (s) => (s.point_value === null ? null : new Decimal(s.point_value).toFixed()),
  pointValueCurrency: (s) => s.point_value_currency,
};

export const LoyaltyReward: LoyaltyRewardResolvers = {
  pointsCost: (r) => r.points_cost,
  minTier: (r) => r.min_tier,
  rateDiscountBps: (r) => r.rate_discount_bps,
  faceValue: (r) => r.face_value,
};

export const LoyaltyRedemption: LoyaltyRedemptionResolvers = {
  account: async (r, _args, ctx) => {
    const account = await ctx.loaders.account.load(r.account_id);
    if (!account) throw new Error(`Account ${r.account_id} of redemption ${r.id} is missing`);
    return account;
  },
  reward: async (r, _args, ctx) => {
    const reward = await ctx.loaders.reward.load(r.reward_id);
    if (!reward) throw new Error(`Reward ${r.reward_id} of redemption ${r.id} is missing`);
    return reward;
  },
  redeemedAt: (r) => r.redeemed_at,
  redeemedBy: (r) => r.redeemed_by,
  cancelledAt: (r) => r.cancelled_at,
  cancelledBy: (r) => r.cancelled_by,
  cancelReason: (r) => r.cancel_reason,
};

export const LoyaltyRedemptionConnection: LoyaltyRedemptionConnectionResolvers = { totalCount: (c) => c.count() };
