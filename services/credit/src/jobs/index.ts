import type { JobDefinition } from '@crm/service-kit';
import type { DB } from '../db/schema.ts';
import { endOfDayJob } from './end-of-day.job.ts';
import { warningEscalationJob } from './warning-escalation.job.ts';

/** Scheduled runs of this service. */
export const jobs: JobDefinition<DB>[] = [endOfDayJob, warningEscalationJob];
