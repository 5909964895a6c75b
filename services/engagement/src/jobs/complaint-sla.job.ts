import { emit } from '@crm/events';
import type { JobDefinition } from '@crm/service-kit';
import { escalateSlaBreaches } from '../db/complaint.store.ts';
import type { DB } from '../db/schema.ts';
import { slaCutoff } from '../domain/complaints.ts';
import { endOfDate } from '../domain/dates.ts';

/**
 * Escalates, set-wise, complaints that missed their acknowledgement or resolution deadline by
 * the end of the as-of date (each breach once: a rerun for the same date escalates nothing new).
 * Emits ComplaintEscalated per breach.
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
          await emit(tx, 'ComplaintEscalated', {
            subject: c.customer_id,
            time: now,
            data: { complaintId: c.id, customerId: c.customer_id, severity: c.severity, breach, escalatedAt: now.toISOString() },
          });
        }
      }
      return { acknowledgeBreaches: breaches.acknowledge.length, resolveBreaches: breaches.resolve.length };
    });
  },
};
