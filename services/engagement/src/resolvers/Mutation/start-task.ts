import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { startTask as run } from '../../commands/start-task.ts';

export const startTask: MutationResolvers['startTask'] = (_parent, { input }, ctx) => run(ctx, input);
