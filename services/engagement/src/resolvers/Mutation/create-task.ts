import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { createTask as run } from '../../commands/create-task.ts';

export const createTask: MutationResolvers['createTask'] = (_parent, { input }, ctx) => run(ctx, input);
