import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { updateEngagementSettings as run } from '../../commands/update-engagement-settings.ts';

export const updateEngagementSettings: MutationResolvers['updateEngagementSettings'] = (_parent, { input }, ctx) => run(ctx, input);
