import { emit } from '@crm/events';
import type { JobDefinition } from '@crm/service-kit';
import { escalateSlaBreaches } from '../db/complaint.store.ts';
import { findRelationshipManagerId } from '../db/customer-replica.store.ts';
import type { DB } from '../db/schema.ts';
import { slaCutoff } from '../domain/complaints.ts';
import { endOfDate } from '../domain/dates.ts';
import { complaintEscalationTask } from '../domain/tasks.ts';
import { createPlannedTask } from '../events/create-task.ts';

/**
 * Escalates, set-wise, complaints that missed their acknowledgement or resolution deadline by
 * the end of the as-of date (each breach once: a rerun for the same date escalates nothing new).
 * Emits ComplaintEscalated per breach and gives the handler (else the relationship manager) an
 * urgent task.
 */
export const complaintSlaJob: JobDefinition<DB> = {
  name: 'complaint-sla',
  description: 'Escalates complaints that breached their SLA',
  everyMs: 15 * 60_000,
  async run({ db, asOf, now }) {
    const cutoff = slaCutoff(endOfDate(asOf), now);
    return db.transaction().execute(async (tx) => {
      const breaches = await escalateSlaBreaches(tx, cutoff, now);
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
    });
  },
};
