import type { EventHandlers } from '@crm/events';
import type { DB } from '../db/schema.ts';
import { onConsentChanged } from './consent-changed.handler.ts';
import { onCustomerGradeAtRisk } from './customer-grade-at-risk.handler.ts';
import { onCustomerProfileUpdated } from './customer-profile-updated.handler.ts';
import { onCustomerRegistered } from './customer-registered.handler.ts';
import { onCustomerStatusChanged } from './customer-status-changed.handler.ts';
import { onDelinquencyBucketChanged } from './delinquency-bucket-changed.handler.ts';
import { onInstalmentOverdue } from './instalment-overdue.handler.ts';
import { onLoanClosed } from './loan-closed.handler.ts';
import { onLoanDisbursed } from './loan-disbursed.handler.ts';
import { onRelationshipManagerAssigned } from './relationship-manager-assigned.handler.ts';
import { onRiskWarningEscalated } from './risk-warning-escalated.handler.ts';
import { onRiskWarningRaised } from './risk-warning-raised.handler.ts';
import { onTierDowngradeWarning } from './tier-downgrade-warning.handler.ts';

/** Events from other services that engagement reacts to. */
export const handlers: EventHandlers<DB> = {
  CustomerRegistered: onCustomerRegistered,
  CustomerProfileUpdated: onCustomerProfileUpdated,
  CustomerStatusChanged: onCustomerStatusChanged,
  ConsentChanged: onConsentChanged,
  RelationshipManagerAssigned: onRelationshipManagerAssigned,
  LoanDisbursed: onLoanDisbursed,
  InstalmentOverdue: onInstalmentOverdue,
  DelinquencyBucketChanged: onDelinquencyBucketChanged,
  RiskWarningRaised: onRiskWarningRaised,
  RiskWarningEscalated: onRiskWarningEscalated,
  CustomerGradeAtRisk: onCustomerGradeAtRisk,
  TierDowngradeWarning: onTierDowngradeWarning,
  LoanClosed: onLoanClosed,
};
