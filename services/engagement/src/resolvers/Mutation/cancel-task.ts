import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { cancelTask as run } from '../../commands/cancel-task.ts';

export const cancelTask: MutationResolvers['cancelTask'] = (_parent, { input }, ctx) => run(ctx, input);
