export type { DB as EngagementDB } from './db/schema.ts';
export { engagementService } from './service.ts';
