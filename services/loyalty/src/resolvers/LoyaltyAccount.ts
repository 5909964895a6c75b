import { pageSize, toConnection } from '@crm/service-kit';
import type { LoyaltyAccountResolvers, PointsEntryResolvers } from '../__generated__/resolvers-types.ts';

export const LoyaltyAccount: LoyaltyAccountResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.account.load(ref.id),
  customer: (a) => ({ id: a.customer_id }),
  pointsBalance: (a) => a.balance,
  referralCode: (a) => a.referral_code,
  openedAt: (a) => a.opened_at,
  ledger: async (a, { first, after }, ctx) => {
    const size = pageSize(first);
    const rows = await ctx.loaders.entriesOfAccount(a.id, { limit: size + 1, after: after ?? null });
    return toConnection(rows, size, (r) => [r.id]);
  },
};

export const PointsEntry: PointsEntryResolvers = {
  sourceId: (e) => e.source_id,
  createdAt: (e) => e.created_at,
  expiresAt: (e) => e.expires_at,
};
