import type { JobDefinition } from '@crm/service-kit';
import { planMonitoring } from '../commands/plan-monitoring.ts';
import type { DB } from '../db/schema.ts';

/**
 * Plans post-loan visits and credit reviews ahead by the monitoring cadence (risk class and loan
 * size) and raises the officer's and the branch manager's tasks for overdue reviews; repeatable
 * for a date (counts: visitsPlanned, reviewsPlanned, overdueReviews, escalationTasks; the
 * overdue reviews are examined, not changed).
 */
export const monitoringPlanJob: JobDefinition<DB> = {
  name: 'monitoring-plan',
  description: 'Plans post-loan visits and credit reviews by risk class and loan size; escalates overdue reviews',
  everyMs: 6 * 60 * 60_000,
  affected: (c) => (c.visitsPlanned ?? 0) + (c.reviewsPlanned ?? 0) + (c.escalationTasks ?? 0),
  run: ({ db, asOf, now, progress }) => planMonitoring(db, { asOf, now, progress: (done) => progress(done) }),
};
