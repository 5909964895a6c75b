import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { updateNotificationSettings as run } from '../../commands/update-notification-settings.ts';

export const updateNotificationSettings: MutationResolvers['updateNotificationSettings'] = (_parent, { input }, ctx) => run(ctx, input);
