import type { JobDefinition } from '@crm/service-kit';
import type { DB } from '../db/schema.ts';
import { careGreetingsJob } from './care-greetings.job.ts';
import { churnScoringJob } from './churn-scoring.job.ts';
import { complaintSlaJob } from './complaint-sla.job.ts';

/** Scheduled runs of this service, each also runnable for a date through runEngagementJob. */
export const jobs: JobDefinition<DB>[] = [complaintSlaJob, careGreetingsJob, churnScoringJob];
