import type { EventHandler } from '@crm/events';
import { recordComplaintResolved } from '../commands/record-complaint-resolved.ts';
import type { DB } from '../db/schema.ts';

export const onComplaintResolved: EventHandler<DB, 'ComplaintResolved'> = async (tx, event) => {
  const { customerId, complaintId, resolvedAt } = event.data;
  await recordComplaintResolved(tx, { sourceEventId: event.id, customerId, complaintId, resolvedOn: resolvedAt.slice(0, 10) });
};
