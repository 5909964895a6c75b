import type { EventHandlers } from '@crm/events';
import type { DB } from '../db/schema.ts';

/**
 * Events from other services that customers reacts to. The value score's inputs (credit,
 * engagement and loyalty events) arrive with the customer-domain issue.
 */
export const handlers: EventHandlers<DB> = {};
