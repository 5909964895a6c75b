import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { registerExpert as run } from '../../commands/expert-directory.ts';

export const registerExpert: MutationResolvers['registerExpert'] = (_parent, { input }, ctx) => run(ctx, input);
