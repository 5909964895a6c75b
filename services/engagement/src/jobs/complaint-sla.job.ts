import { endOfDate, type JobDefinition, runClock } from '@crm/service-kit';
import { escalateComplaintSlaBreaches } from '../commands/escalate-complaint-sla-breaches.ts';
import type { DB } from '../db/schema.ts';
import { slaCutoff } from '../domain/complaints.ts';

/**
 * Escalates, set-wise, complaints that missed their acknowledgement or resolution deadline by
 * the end of the as-of date (each breach once: a rerun for the same date escalates nothing new).
 * Emits ComplaintEscalated per breach and gives the handler (else the relationship manager) an
 * urgent task. On a business date ahead of the wall clock the cut-off is that date's (runClock).
 */
export const complaintSlaJob: JobDefinition<DB> = {
  name: 'complaint-sla',
  description: 'Escalates complaints that breached their SLA',
  everyMs: 15 * 60_000,
  async run({ db, asOf, now }) {
    const cutoff = slaCutoff(endOfDate(asOf), runClock(asOf, now));
    return db.transaction().execute((tx) => escalateComplaintSlaBreaches(tx, { cutoff, now }));
  },
};
