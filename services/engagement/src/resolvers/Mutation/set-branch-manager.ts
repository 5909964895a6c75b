import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { setBranchManager as run } from '../../commands/set-branch-manager.ts';

export const setBranchManager: MutationResolvers['setBranchManager'] = (_parent, { input }, ctx) => run(ctx, input);
