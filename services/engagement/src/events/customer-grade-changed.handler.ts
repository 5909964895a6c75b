import type { EventHandler } from '@crm/events';
import { recordCustomerGrade } from '../db/customer-service-profile.store.ts';
import type { DB } from '../db/schema.ts';

/**
 * Keeps the customer's grade, which selects their service level (task priority and due time,
 * complaint SLA, worklist VALUE points). Idempotent: an older change never overwrites a newer one.
 */
export const onCustomerGradeChanged: EventHandler<DB, 'CustomerGradeChanged'> = async (tx, event) => {
  await recordCustomerGrade(tx, event.data.customerId, event.data.grade, new Date(event.time));
};
