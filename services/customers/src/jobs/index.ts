import type { JobDefinition } from '@crm/service-kit';
import type { DB } from '../db/schema.ts';

/** Scheduled runs of this service (value and grade evaluation arrive with the customer-domain issue). */
export const jobs: JobDefinition<DB>[] = [];
