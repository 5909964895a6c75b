import type { JobDefinition } from '@crm/service-kit';
import type { ChannelAdapter } from '../channels/adapter.ts';
import { dispatchNotifications } from '../commands/dispatch-notifications.ts';
import type { DB } from '../db/schema.ts';

/**
 * Sends the queued notifications whose time has come through the process's channel adapter
 * (channels/config.ts: the logging adapter unless NOTIFICATION_ADAPTER=webhook), every 15 minutes.
 * Its counts: examined, sent, retried, failed, suppressed, deferredQuietHours,
 * deferredContactHours. The as-of date does not matter: a notification goes out when its time
 * has come, by the clock.
 */
export function notificationDispatchJob(adapter: ChannelAdapter): JobDefinition<DB> {
  return {
    name: 'notification-dispatch',
    description: 'Sends queued customer notifications (due reminders, overdue and points-expiry notices) through the channel adapter',
    // as often as the complaint SLA check: a notification goes out within 15 minutes of its time
    everyMs: 15 * 60_000,
    affected: (c) => (c.sent ?? 0) + (c.retried ?? 0) + (c.failed ?? 0) + (c.suppressed ?? 0) + (c.deferredQuietHours ?? 0) + (c.deferredContactHours ?? 0),
    run: ({ db, now, logger, progress }) => dispatchNotifications(db, adapter, { now, logger, progress }),
  };
}
