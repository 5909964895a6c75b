import { type JobDefinition, runClock } from '@crm/service-kit';
import { planMonitoring } from '../commands/plan-monitoring.ts';
import type { DB } from '../db/schema.ts';

/**
 * Plans post-loan visits and credit reviews ahead by the monitoring cadence (risk class and loan
 * size) and raises the officer's and the branch manager's tasks for overdue reviews; repeatable
 * for a date (counts: visitsPlanned, reviewsPlanned, overdueReviews, escalationTasks; the
 * overdue reviews are examined, not changed). Tasks are shaped as planned at the run's clock (on a
 * business date ahead of the wall clock, that date: see runClock).
 */
export const monitoringPlanJob: JobDefinition<DB> = {
  name: 'monitoring-plan',
  description: 'Plans post-loan visits and credit reviews by risk class and loan size; escalates overdue reviews',
  everyMs: 6 * 60 * 60_000,
  affected: (c) => (c.visitsPlanned ?? 0) + (c.reviewsPlanned ?? 0) + (c.escalationTasks ?? 0),
  run: ({ db, asOf, now, progress }) => planMonitoring(db, { asOf, now: runClock(asOf, now), progress: (done) => progress(done) }),
};
