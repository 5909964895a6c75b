import type { EventHandlers } from '@crm/events';
import type { DB } from '../db/schema.ts';
import { onCustomerProfileUpdated } from './customer-profile-updated.handler.ts';
import { onCustomerRegistered } from './customer-registered.handler.ts';
import { onFinancialSnapshotRecorded } from './financial-snapshot-recorded.handler.ts';
import { onRelationshipManagerAssigned } from './relationship-manager-assigned.handler.ts';

/** Events from other services that credit reacts to. */
export const handlers: EventHandlers<DB> = {
  CustomerRegistered: onCustomerRegistered,
  CustomerProfileUpdated: onCustomerProfileUpdated,
  RelationshipManagerAssigned: onRelationshipManagerAssigned,
  FinancialSnapshotRecorded: onFinancialSnapshotRecorded,
};
