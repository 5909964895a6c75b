import { nestedConnection } from '@crm/service-kit';
import type {
  LoyaltyAccountConnectionResolvers,
  LoyaltyAccountResolvers,
  LoyaltyReferralConnectionResolvers,
  PointsEntryConnectionResolvers,
  PointsEntryResolvers,
} from '../__generated__/resolvers-types.ts';
import { qualifiedTier, tierProgress } from '../domain/tiers.ts';

export const LoyaltyAccount: LoyaltyAccountResolvers = {
  /** Null for a member outside the caller's branch (the loader applies the caller's scope). */
  __resolveReference: (ref, ctx) => ctx.loaders.account.load(ref.id),
  customer: (a) => ({ id: a.customer_id }),
  pointsBalance: (a) => a.balance,
  referralCode: (a) => a.referral_code,
  openedAt: (a) => a.opened_at,
  branchId: (a) => a.branch_id,
  relationshipManagerId: (a) => a.relationship_manager_id,
  tierProgress: async (a, _args, ctx) => {
    const [qualifying, tiers] = await Promise.all([ctx.loaders.qualifyingPoints.load(a.id), ctx.loaders.tiers()]);
    const progress = tierProgress(qualifying, a.tier, tiers);
    return {
      qualifyingPoints: qualifying,
      nextTier: progress.nextTier,
      pointsToNextTier: progress.pointsToNextTier,
      downgradeOn: a.downgrade_on,
      qualifiedTier: qualifiedTier(qualifying, tiers).code,
    };
  },
  benefits: async (a, _args, ctx) => {
    const tiers = await ctx.loaders.tiers();
    const tier = tiers.find((t) => t.code === a.tier) ?? tiers[0];
    if (!tier) throw new Error('No tiers configured');
    return tier;
  },
  ledger: (a, args, ctx) => nestedConnection(ctx.loaders.entriesOfAccount, ctx.loaders.entryCount, a.id, args),
  referrals: (a, args, ctx) =>
    nestedConnection(ctx.loaders.referralsOfAccount, ctx.loaders.referralCount, a.id, args, {
      toNode: (r) => ({ referredCustomer: { id: r.referred_customer_id }, registeredAt: r.registered_at, rewardedAt: r.rewarded_at }),
    }),
  redemptions: (a, args, ctx) => nestedConnection(ctx.loaders.redemptionsOfAccount, ctx.loaders.redemptionCount, a.id, args),
};

export const PointsEntry: PointsEntryResolvers = {
  /** The rows are already within the caller's scope; the loader batches the accounts of a page. */
  account: async (e, _args, ctx) => {
    const account = await ctx.loaders.account.load(e.account_id);
    if (!account) throw new Error(`Account ${e.account_id} of entry ${e.id} is missing`);
    return account;
  },
  sourceId: (e) => e.source_id,
  ruleCode: (e) => e.rule_code,
  actorId: (e) => e.actor_id,
  createdAt: (e) => e.created_at,
  expiresAt: (e) => e.expires_at,
};

/** `totalCount`, counted only when selected (one count query per field per request). */
export const LoyaltyAccountConnection: LoyaltyAccountConnectionResolvers = { totalCount: (c) => c.count() };
export const PointsEntryConnection: PointsEntryConnectionResolvers = { totalCount: (c) => c.count() };
export const LoyaltyReferralConnection: LoyaltyReferralConnectionResolvers = { totalCount: (c) => c.count() };
