export type { DB as LoyaltyDB } from './db/schema.ts';
export { loyaltyService } from './service.ts';
