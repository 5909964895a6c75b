import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { insertSignalOnce } from '../db/value.store.ts';

export interface ComplaintReceivedSignal {
  sourceEventId: string;
  customerId: string;
  complaintId: string;
  kind: 'COMPLAINT' | 'SUGGESTION' | 'PRAISE';
  receivedOn: string;
}

/** An open complaint lowers satisfaction until it is resolved (suggestions and praise do not); once per complaint. */
export async function recordComplaintReceived(tx: Transaction<DB>, c: ComplaintReceivedSignal): Promise<boolean> {
  if (c.kind !== 'COMPLAINT') return false;
  return insertSignalOnce(tx, {
    event_id: c.sourceEventId,
    business_key: `COMPLAINT_RECEIVED:${c.complaintId}`,
    customer_id: c.customerId,
    kind: 'COMPLAINT_RECEIVED',
    label: c.complaintId,
    occurred_on: c.receivedOn,
  });
}
