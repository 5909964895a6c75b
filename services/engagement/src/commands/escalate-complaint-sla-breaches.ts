import { emit } from '@crm/events';
import type { Transaction } from 'kysely';
import { escalateSlaBreaches } from '../db/complaint.store.ts';
import { findRelationshipManagerId } from '../db/customer-replica.store.ts';
import type { DB } from '../db/schema.ts';
import { complaintEscalationTask } from '../domain/tasks.ts';
import { createPlannedTask } from './create-planned-task.ts';

/**
 * Escalates, set-wise and in the caller's transaction, the complaints that missed their
 * acknowledgement or resolution deadline by `cutoff` (each breach once). Emits ComplaintEscalated
 * per breach and gives the handler (else the relationship manager) an urgent task.
 */
export async function escalateComplaintSlaBreaches(
  tx: Transaction<DB>,
  input: { cutoff: Date; now: Date },
): Promise<{ acknowledgeBreaches: number; resolveBreaches: number }> {
  const { now } = input;
  const breaches = await escalateSlaBreaches(tx, input.cutoff, now);
  for (const [breach, rows] of [
    ['ACKNOWLEDGE', breaches.acknowledge],
    ['RESOLVE', breaches.resolve],
  ] as const) {
    for (const c of rows) {
      const event = await emit(tx, 'ComplaintEscalated', {
        subject: c.customer_id,
        time: now,
        data: { complaintId: c.id, customerId: c.customer_id, severity: c.severity, breach, escalatedAt: now.toISOString() },
      });
      const assigneeId = c.assignee_id ?? (await findRelationshipManagerId(tx, c.customer_id));
      await createPlannedTask(tx, complaintEscalationTask({ customerId: c.customer_id, complaintId: c.id, breach, assigneeId, at: now }), {
        sourceEventId: event.id,
      });
    }
  }
  return { acknowledgeBreaches: breaches.acknowledge.length, resolveBreaches: breaches.resolve.length };
}
