import type { EventHandler } from '@crm/events';
import { queueNotification } from '../commands/queue-notification.ts';
import type { DB } from '../db/schema.ts';

/** Loyalty points will expire (PointsExpiring): a points-expiry notice is queued (once per account and expiry date). */
export const onPointsExpiring: EventHandler<DB, 'PointsExpiring'> = async (tx, event) => {
  const p = event.data;
  await queueNotification(tx, {
    kind: 'POINTS_EXPIRY',
    customerId: p.customerId,
    loanId: null,
    params: { accountId: p.accountId, points: String(p.points), expiresOn: p.expiresOn },
    sourceEventId: event.id,
    at: new Date(event.time),
  });
};
