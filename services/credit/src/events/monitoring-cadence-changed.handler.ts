import type { EventHandler } from '@crm/events';
import { replaceReviewCadence } from '../db/review.store.ts';
import type { DB } from '../db/schema.ts';

/**
 * Engagement replaced its monitoring cadence: credit's review intervals (Loan.nextReviewDue, the
 * overdue reviews) follow the new table from now on. Idempotent: an older version or a
 * redelivery changes nothing (the table's time, `changedAt`, orders the versions).
 */
export const onMonitoringCadenceChanged: EventHandler<DB, 'MonitoringCadenceChanged'> = async (tx, event) => {
  await replaceReviewCadence(
    tx,
    event.data.bands.map((b) => ({ riskClass: b.riskClass, minPrincipal: b.minPrincipal, reviewEveryDays: b.reviewEveryDays })),
    new Date(event.data.changedAt),
  );
};
