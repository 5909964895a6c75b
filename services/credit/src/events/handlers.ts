import type { EventHandlers } from '@crm/events';
import type { DB } from '../db/schema.ts';

/**
 * Events from other services that credit reacts to. The customer replica (CustomerRegistered)
 * and the early-warning inputs (FinancialSnapshotRecorded) arrive with the credit-domain issue.
 */
export const handlers: EventHandlers<DB> = {};
