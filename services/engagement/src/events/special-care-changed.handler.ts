import type { EventHandler } from '@crm/events';
import { isoDate } from '@crm/service-kit';
import { cancelCareCallbacksNoLongerDue } from '../commands/cancel-care-callbacks.ts';
import { planCareCallbacks } from '../commands/plan-care-callbacks.ts';
import { recordCustomerCareNeeds } from '../db/customer-service-profile.store.ts';
import type { DB } from '../db/schema.ts';

/**
 * Keeps the customer's special-care needs (service level: priority, due time, SLA, worklist CARE
 * points) and plans at once the regular care touch the needs call for (or cancels the open one
 * when they no longer call for any). Idempotent: an older change never overwrites a newer one, and
 * the touch is planned once per anchor.
 */
export const onSpecialCareChanged: EventHandler<DB, 'SpecialCareChanged'> = async (tx, event) => {
  const d = event.data;
  const now = new Date();
  await recordCustomerCareNeeds(tx, d.customerId, d.flags, new Date(d.changedAt));
  await planCareCallbacks(tx, { asOf: isoDate(now), now, customerId: d.customerId, limit: 1, sourceEventId: event.id });
  await cancelCareCallbacksNoLongerDue(tx, d.customerId, now);
};
