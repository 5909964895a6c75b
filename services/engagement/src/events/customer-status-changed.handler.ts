import type { EventHandler } from '@crm/events';
import { recordCustomerStatus } from '../db/customer-replica.store.ts';
import type { DB } from '../db/schema.ts';

/** Keeps the customer's status lifecycle, read by the churn and retention KPIs (db/kpi.store.ts). */
export const onCustomerStatusChanged: EventHandler<DB, 'CustomerStatusChanged'> = async (tx, event) => {
  const c = event.data;
  await recordCustomerStatus(tx, { eventId: event.id, customerId: c.customerId, status: c.status, at: new Date(c.changedAt) });
};
