import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { updateLoyaltySettings as command } from '../../commands/update-loyalty-settings.ts';

/** Changes programme settings (administrators); omitted fields keep their value. */
export const updateLoyaltySettings: MutationResolvers['updateLoyaltySettings'] = async (_parent, { input }, ctx) => command(ctx, input);
