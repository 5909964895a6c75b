import type { JobDefinition } from '@crm/service-kit';
import type { DB } from '../db/schema.ts';

/** Scheduled runs of this service (the end-of-day delinquency run arrives with the credit-domain issue). */
export const jobs: JobDefinition<DB>[] = [];
