import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { markCareGreetingSent as run } from '../../commands/mark-care-greeting-sent.ts';

export const markCareGreetingSent: MutationResolvers['markCareGreetingSent'] = (_parent, { input }, ctx) => run(ctx, input);
