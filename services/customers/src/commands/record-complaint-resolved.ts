import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { insertSignalOnce } from '../db/value.store.ts';

/** A resolved complaint stops weighing on satisfaction from its resolution date; once per complaint. */
export async function recordComplaintResolved(
  tx: Transaction<DB>,
  c: { sourceEventId: string; customerId: string; complaintId: string; resolvedOn: string },
): Promise<boolean> {
  return insertSignalOnce(tx, {
    event_id: c.sourceEventId,
    business_key: `COMPLAINT_RESOLVED:${c.complaintId}`,
    customer_id: c.customerId,
    kind: 'COMPLAINT_RESOLVED',
    label: c.complaintId,
    occurred_on: c.resolvedOn,
  });
}
