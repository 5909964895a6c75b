import type { JobDefinition } from '@crm/service-kit';
import type { DB } from '../db/schema.ts';

/** Scheduled runs of this service (SLA checks, greetings, churn scoring arrive with the engagement-domain issue). */
export const jobs: JobDefinition<DB>[] = [];
