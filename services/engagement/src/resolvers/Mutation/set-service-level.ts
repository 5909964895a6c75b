import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { setServiceLevel as run } from '../../commands/set-service-level.ts';

export const setServiceLevel: MutationResolvers['setServiceLevel'] = (_parent, { input }, ctx) => run(ctx, input);
