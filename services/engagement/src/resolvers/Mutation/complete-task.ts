import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { completeTask as run } from '../../commands/complete-task.ts';

export const completeTask: MutationResolvers['completeTask'] = (_parent, { input }, ctx) => run(ctx, input);
