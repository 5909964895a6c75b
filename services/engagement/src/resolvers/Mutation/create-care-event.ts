import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { createCareEvent as run } from '../../commands/create-care-event.ts';

export const createCareEvent: MutationResolvers['createCareEvent'] = (_parent, { input }, ctx) => run(ctx, input);
