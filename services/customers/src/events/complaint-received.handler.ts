import type { EventHandler } from '@crm/events';
import { recordComplaintReceived } from '../commands/record-complaint-received.ts';
import type { DB } from '../db/schema.ts';

export const onComplaintReceived: EventHandler<DB, 'ComplaintReceived'> = async (tx, event) => {
  const { customerId, complaintId, kind, receivedAt } = event.data;
  await recordComplaintReceived(tx, { sourceEventId: event.id, customerId, complaintId, kind, receivedOn: receivedAt.slice(0, 10) });
};
