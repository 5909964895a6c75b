export type { DB as CustomersDB } from './db/schema.ts';
export { customersService } from './service.ts';
