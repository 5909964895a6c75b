import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { upsertNotificationTemplate as run } from '../../commands/upsert-notification-template.ts';

export const upsertNotificationTemplate: MutationResolvers['upsertNotificationTemplate'] = (_parent, { input }, ctx) => run(ctx, input);
