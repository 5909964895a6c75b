import type { EventHandlers } from '@crm/events';
import type { DB } from '../db/schema.ts';
import { onCustomerRegistered } from './customer-registered.handler.ts';
import { onFinancialSnapshotRecorded } from './financial-snapshot-recorded.handler.ts';

/** Events from other services that credit reacts to. */
export const handlers: EventHandlers<DB> = {
  CustomerRegistered: onCustomerRegistered,
  FinancialSnapshotRecorded: onFinancialSnapshotRecorded,
};
