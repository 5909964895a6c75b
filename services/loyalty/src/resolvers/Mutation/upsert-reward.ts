import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { defineReward } from '../../commands/define-reward.ts';

/** Creates a reward of the catalogue, or changes one (administrators). */
export const upsertReward: MutationResolvers['upsertReward'] = async (_parent, { input }, ctx) => defineReward(ctx, input);
