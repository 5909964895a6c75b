import type { EventHandlers } from '@crm/events';
import type { DB } from '../db/schema.ts';
import { onCustomerProfileUpdated } from './customer-profile-updated.handler.ts';
import { onCustomerRegistered } from './customer-registered.handler.ts';
import { onFinancialSnapshotRecorded } from './financial-snapshot-recorded.handler.ts';
import { onLoyaltyTierDefined } from './loyalty-tier-defined.handler.ts';
import { onMonitoringCadenceChanged } from './monitoring-cadence-changed.handler.ts';
import { onRelationshipManagerAssigned } from './relationship-manager-assigned.handler.ts';
import { onTierChanged } from './tier-changed.handler.ts';
import { onVisitOutcomeRecorded } from './visit-outcome-recorded.handler.ts';

/** Events from other services that credit reacts to. */
export const handlers: EventHandlers<DB> = {
  CustomerRegistered: onCustomerRegistered,
  CustomerProfileUpdated: onCustomerProfileUpdated,
  RelationshipManagerAssigned: onRelationshipManagerAssigned,
  FinancialSnapshotRecorded: onFinancialSnapshotRecorded,
  // loyalty pricing (issue 15): the customer's tier and its rate discount
  TierChanged: onTierChanged,
  LoyaltyTierDefined: onLoyaltyTierDefined,
  // post-loan visits feed the early-warning rules (issue 15)
  VisitOutcomeRecorded: onVisitOutcomeRecorded,
  // review intervals: engagement's monitoring cadence, one source (issue 15)
  MonitoringCadenceChanged: onMonitoringCadenceChanged,
};
