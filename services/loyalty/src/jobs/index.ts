import type { JobDefinition } from '@crm/service-kit';
import type { DB } from '../db/schema.ts';
import { birthdayBonusJob } from './birthday-bonus.job.ts';
import { pointsExpiryJob } from './points-expiry.job.ts';
import { tierEvaluationJob } from './tier-evaluation.job.ts';

/** Scheduled runs of this service, each runnable by name for an as-of date. */
export const jobs: JobDefinition<DB>[] = [pointsExpiryJob, tierEvaluationJob, birthdayBonusJob];
