import { keysetCursor, nestedConnection, pageSize, requireIdentity, toConnection, withCount } from '@crm/service-kit';
import type {
  BranchLanguageResolvers,
  CustomerResolvers,
  NotificationResolvers,
  NotificationSettingsResolvers,
  NotificationTemplateResolvers,
  QueryResolvers,
} from '../__generated__/resolvers-types.ts';
import {
  countBranchLanguages,
  countNotifications,
  countTemplates,
  findBranchLanguages,
  findNotificationInScope,
  findNotificationSettings,
  findNotifications,
  findTemplates,
} from '../db/notification.store.ts';
import { NOTIFICATION_SETTING_DEFAULTS } from '../domain/notifications.ts';

/**
 * Notifications (issue 15): the Query fields of src/schema/notifications.graphql, the
 * Notification and NotificationTemplate types and `Customer.notifications`. Branch scope is in
 * the store (db/notification.store.ts); the texts are `@sensitive` (analysts get null).
 */

export const notificationQueries: Pick<QueryResolvers, 'notification' | 'notifications' | 'notificationTemplates' | 'notificationSettings'> = {
  notification: async (_parent, { id }, ctx) => {
    requireIdentity(ctx);
    return (await findNotificationInScope(ctx.db, ctx.scope, id)) ?? null;
  },
  notifications: async (_parent, { filter, first, after }, ctx) => {
    requireIdentity(ctx);
    const size = pageSize(first);
    const query = filter ?? {};
    const rows = await findNotifications(ctx.db, ctx.scope, query, { limit: size + 1, after: after ?? null });
    return withCount(
      toConnection(rows, size, (r) => [r.id]),
      () => countNotifications(ctx.db, ctx.scope, query),
    );
  },
  notificationTemplates: async (_parent, { filter, first, after }, ctx) => {
    requireIdentity(ctx);
    const size = pageSize(first);
    const query = filter ?? {};
    const rows = await findTemplates(ctx.db, query, { limit: size + 1, after: after ?? null });
    return withCount(
      toConnection(rows, size, (r) => [r.kind, r.channel, r.language]),
      () => countTemplates(ctx.db, query),
    );
  },
  notificationSettings: (_parent, _args, ctx) => {
    requireIdentity(ctx);
    return findNotificationSettings(ctx.db, NOTIFICATION_SETTING_DEFAULTS);
  },
};

/** The settings' branch languages, by branch id: a page read when selected, counted only when `totalCount` is. */
export const NotificationSettings: NotificationSettingsResolvers = {
  branchLanguages: async (_settings, { first, after }, ctx) => {
    const size = pageSize(first, 50);
    const rows = await findBranchLanguages(ctx.db, { limit: size + 1, after: after ?? null });
    return withCount(toConnection(rows, size, keysetCursor), () => countBranchLanguages(ctx.db));
  },
};

export const BranchLanguage: BranchLanguageResolvers = {
  branchId: (b) => b.branch_id,
};

export const CustomerNotifications: Pick<CustomerResolvers, 'notifications'> = {
  notifications: (customer, { status, ...args }, ctx) => {
    requireIdentity(ctx);
    const loaders = ctx.loaders.notificationsVisits;
    return nestedConnection(loaders.notificationsOfCustomer(status ?? null), loaders.notificationCount(status ?? null), customer.id, args);
  },
};

export const Notification: NotificationResolvers = {
  customer: (n) => ({ id: n.customer_id }),
  deferredReason: (n) => (n.status === 'QUEUED' ? n.deferred_reason : null),
  sendAfter: (n) => n.send_after,
  lastError: (n) => n.last_error,
  providerReference: (n) => n.provider_ref,
  loanId: (n) => n.loan_id,
  sourceEventId: (n) => n.source_event_id,
  createdAt: (n) => n.created_at,
  updatedAt: (n) => n.updated_at,
  sentAt: (n) => n.sent_at,
};

export const NotificationTemplate: NotificationTemplateResolvers = {
  updatedBy: (t) => t.updated_by,
  updatedAt: (t) => t.updated_at,
};
