import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { logInteraction as run } from '../../commands/log-interaction.ts';

export const logInteraction: MutationResolvers['logInteraction'] = (_parent, { input }, ctx) => run(ctx, input);
