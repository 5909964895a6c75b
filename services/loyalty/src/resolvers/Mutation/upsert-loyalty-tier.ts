import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { defineTier } from '../../commands/define-tier.ts';

/** Creates or changes a tier by code (administrators); ranks and thresholds stay in step. */
export const upsertLoyaltyTier: MutationResolvers['upsertLoyaltyTier'] = async (_parent, { input }, ctx) => defineTier(ctx, input);
