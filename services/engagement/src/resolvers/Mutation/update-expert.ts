import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { updateExpert as run } from '../../commands/expert-directory.ts';

export const updateExpert: MutationResolvers['updateExpert'] = (_parent, { input }, ctx) => run(ctx, input);
