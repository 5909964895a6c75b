import type { JobDefinition } from '@crm/service-kit';
import type { DB } from '../db/schema.ts';

/** Scheduled runs of this service (expiry and tier evaluation arrive with the loyalty-domain issue). */
export const jobs: JobDefinition<DB>[] = [];
