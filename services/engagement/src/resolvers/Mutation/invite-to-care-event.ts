import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { inviteToCareEvent as run } from '../../commands/invite-to-care-event.ts';

export const inviteToCareEvent: MutationResolvers['inviteToCareEvent'] = (_parent, { input }, ctx) => run(ctx, input);
