import type { JobDefinition } from '@crm/service-kit';
import { configuredNotificationAdapter } from '../channels/config.ts';
import type { DB } from '../db/schema.ts';
import { careCallbacksJob } from './care-callbacks.job.ts';
import { careGreetingsJob } from './care-greetings.job.ts';
import { churnScoringJob } from './churn-scoring.job.ts';
import { complaintSlaJob } from './complaint-sla.job.ts';
import { monitoringPlanJob } from './monitoring-plan.job.ts';
import { nextBestOffersJob } from './next-best-offers.job.ts';
import { notificationDispatchJob } from './notification-dispatch.job.ts';

/** Scheduled runs of this service, each also runnable for a date through runEngagementJob. */
export const jobs: JobDefinition<DB>[] = [
  complaintSlaJob,
  careGreetingsJob,
  churnScoringJob,
  careCallbacksJob,
  // notifications go out through the channel adapter this process is configured with (channels/config.ts)
  notificationDispatchJob(configuredNotificationAdapter()),
  monitoringPlanJob,
  // next-best offers from the offer rules (issue 15)
  nextBestOffersJob,
];
