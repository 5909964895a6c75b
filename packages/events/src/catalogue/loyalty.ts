import { z } from 'zod';
import { define, f } from './define.ts';

const accountRef = { accountId: f.id, customerId: f.id };

/** Events produced by the loyalty service (topic crm.loyalty.v1). */
export const loyaltyEvents = {
  LoyaltyAccountOpened: define(
    'loyalty',
    'LoyaltyAccountOpened',
    'A loyalty account was opened for a customer.',
    z.object({ ...accountRef, tier: z.string(), openedAt: f.instant }),
  ),
  PointsEarned: define(
    'loyalty',
    'PointsEarned',
    'Points were credited to a loyalty account.',
    z.object({ ...accountRef, entryId: f.id, points: z.number().int().positive(), reason: z.string(), sourceEventId: f.id, balance: z.number().int() }),
  ),
  PointsRedeemed: define(
    'loyalty',
    'PointsRedeemed',
    'Points were spent on a reward.',
    z.object({ ...accountRef, entryId: f.id, redemptionId: f.id, points: z.number().int().positive(), balance: z.number().int() }),
  ),
  PointsDeducted: define(
    'loyalty',
    'PointsDeducted',
    'Points were taken off a loyalty account other than by a redemption or expiry: a negative manual adjustment, or points earned by an instalment whose repayment was reversed (capped at the balance).',
    z.object({
      ...accountRef,
      entryId: f.id,
      /** Points taken off (positive). */
      points: z.number().int().positive(),
      reason: z.enum(['ADJUSTMENT', 'REPAYMENT_REVERSED']),
      /** The RepaymentReversed event for a reversal; null for a manual adjustment. */
      sourceEventId: f.id.nullable(),
      balance: z.number().int(),
    }),
  ),
  RedemptionCancelled: define(
    'loyalty',
    'RedemptionCancelled',
    'A redemption was cancelled: its points were refunded to the account and the reward put back in stock.',
    z.object({
      ...accountRef,
      redemptionId: f.id,
      rewardId: f.id,
      /** The ledger entry of the refund. */
      entryId: f.id,
      pointsRefunded: z.number().int().positive(),
      balance: z.number().int(),
      cancelledAt: f.instant,
    }),
  ),
  PointsExpiring: define(
    'loyalty',
    'PointsExpiring',
    'Points will expire soon unless used.',
    z.object({ ...accountRef, points: z.number().int().positive(), expiresOn: f.date }),
  ),
  PointsExpired: define(
    'loyalty',
    'PointsExpired',
    'Points expired (oldest first).',
    z.object({ ...accountRef, entryId: f.id, points: z.number().int().positive(), balance: z.number().int(), asOf: f.date }),
  ),
  TierChanged: define(
    'loyalty',
    'TierChanged',
    "A member's tier changed (upgrades at once, downgrades after the grace period).",
    z.object({
      ...accountRef,
      previousTier: z.string(),
      tier: z.string(),
      direction: z.enum(['UP', 'DOWN']),
      effectiveOn: f.date,
      /** The new tier's rate discount in basis points when the change was made (credit prices new loans with it); absent in older events. */
      rateDiscountBps: z.number().int().min(0).max(10000).optional(),
    }),
  ),
  LoyaltyTierDefined: define(
    'loyalty',
    'LoyaltyTierDefined',
    "A tier was created or its terms changed (threshold, multiplier, benefits): the members holding it get the new benefits from now, e.g. credit's rate discount on new loans. Subject: the tier code.",
    z.object({
      tier: z.string(),
      name: z.string(),
      rank: z.number().int(),
      threshold: z.number().int().min(0),
      rateDiscountBps: z.number().int().min(0).max(10000),
      feeWaiversPerYear: z.number().int().min(0),
      priorityService: z.boolean(),
      dedicatedManager: z.boolean(),
      definedBy: f.id,
      definedAt: f.instant,
    }),
  ),
  TierDowngradeWarning: define(
    'loyalty',
    'TierDowngradeWarning',
    'A member no longer qualifies for their tier: it drops at the end of the grace period unless they requalify.',
    z.object({ ...accountRef, tier: z.string(), projectedTier: z.string(), effectiveOn: f.date }),
  ),
  RewardRedeemed: define(
    'loyalty',
    'RewardRedeemed',
    'A reward was redeemed from the catalogue.',
    z.object({
      ...accountRef,
      redemptionId: f.id,
      rewardId: f.id,
      rewardKind: z.enum(['GIFT', 'RATE_DISCOUNT_VOUCHER', 'FEE_WAIVER']),
      points: z.number().int().positive(),
    }),
  ),
  ReferralRewarded: define(
    'loyalty',
    'ReferralRewarded',
    "A referrer was rewarded for a referred customer's first disbursed loan.",
    z.object({ ...accountRef, referredCustomerId: f.id, points: z.number().int().positive(), sourceEventId: f.id }),
  ),
} as const;
