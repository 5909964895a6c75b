import type { EventHandlers } from '@crm/events';
import { businessDateChangedHandler } from '@crm/service-kit';
import type { DB } from '../db/schema.ts';
import { onConsentChanged } from './consent-changed.handler.ts';
import { onCreditReviewRecorded } from './credit-review-recorded.handler.ts';
import { onCrisisReliefGranted } from './crisis-relief-granted.handler.ts';
import { onCustomerGradeAtRisk } from './customer-grade-at-risk.handler.ts';
import { onCustomerGradeChanged } from './customer-grade-changed.handler.ts';
import { onCustomerProfileUpdated } from './customer-profile-updated.handler.ts';
import { onCustomerRegistered } from './customer-registered.handler.ts';
import { onCustomerState } from './customer-state.handler.ts';
import { onCustomerStatusChanged } from './customer-status-changed.handler.ts';
import { onDelinquencyBucketChanged } from './delinquency-bucket-changed.handler.ts';
import { onInstalmentDue } from './instalment-due.handler.ts';
import { onInstalmentOverdue } from './instalment-overdue.handler.ts';
import { onLoanApplied } from './loan-applied.handler.ts';
import { onLoanClosed } from './loan-closed.handler.ts';
import { onLoanDisbursed } from './loan-disbursed.handler.ts';
import { onLoyaltyAccountState } from './loyalty-account-state.handler.ts';
import { onPointsExpiring } from './points-expiring.handler.ts';
import { onRelationshipManagerAssigned } from './relationship-manager-assigned.handler.ts';
import { onRestructuringRequested } from './restructuring-requested.handler.ts';
import { onRiskClassChanged } from './risk-class-changed.handler.ts';
import { onRiskWarningEscalated } from './risk-warning-escalated.handler.ts';
import { onRiskWarningRaised } from './risk-warning-raised.handler.ts';
import { onSpecialCareChanged } from './special-care-changed.handler.ts';
import { onTierChanged } from './tier-changed.handler.ts';
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
  // service levels by grade and care need (issue 15)
  CustomerGradeChanged: onCustomerGradeChanged,
  SpecialCareChanged: onSpecialCareChanged,
  TierDowngradeWarning: onTierDowngradeWarning,
  LoanClosed: onLoanClosed,
  // notifications and visits and reviews by risk (issue 15)
  InstalmentDue: onInstalmentDue,
  PointsExpiring: onPointsExpiring,
  RiskClassChanged: onRiskClassChanged,
  CreditReviewRecorded: onCreditReviewRecorded,
  // the service centre's leads convert (issue 15)
  LoanApplied: onLoanApplied,
  RestructuringRequested: onRestructuringRequested,
  // next-best offers read the loyalty tier (issue 15)
  TierChanged: onTierChanged,
  // customers are told of a crisis measure's relief on their loan (issue 15)
  CrisisReliefGranted: onCrisisReliefGranted,
  // customers' state records backfill the replicas (a customer registered before engagement or a replica existed; issue 15)
  CustomerState: onCustomerState,
  LoyaltyAccountState: onLoyaltyAccountState,
  // credit's business date bounds this service's job runs (issue 10)
  BusinessDateChanged: businessDateChangedHandler<DB>(),
};
