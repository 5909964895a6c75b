export type { DB as CreditDB } from './db/schema.ts';
export { creditService } from './service.ts';
