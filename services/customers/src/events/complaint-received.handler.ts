import type { EventHandler } from '@crm/events';
import type { DB } from '../db/schema.ts';
import { insertSignalOnce } from '../db/value.store.ts';

/** An open complaint lowers satisfaction until it is resolved (suggestions and praise do not). */
export const onComplaintReceived: EventHandler<DB, 'ComplaintReceived'> = async (tx, event) => {
  const e = event.data;
  if (e.kind !== 'COMPLAINT') return;
  await insertSignalOnce(tx, {
    event_id: event.id,
    customer_id: e.customerId,
    kind: 'COMPLAINT_RECEIVED',
    label: e.complaintId,
    occurred_on: e.receivedAt.slice(0, 10),
  });
};
