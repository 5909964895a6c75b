import type { EventHandler } from '@crm/events';
import type { DB } from '../db/schema.ts';
import { insertSignalOnce } from '../db/value.store.ts';

/** A resolved complaint stops weighing on satisfaction from its resolution date. */
export const onComplaintResolved: EventHandler<DB, 'ComplaintResolved'> = async (tx, event) => {
  const e = event.data;
  await insertSignalOnce(tx, {
    event_id: event.id,
    customer_id: e.customerId,
    kind: 'COMPLAINT_RESOLVED',
    label: e.complaintId,
    occurred_on: e.resolvedAt.slice(0, 10),
  });
};
