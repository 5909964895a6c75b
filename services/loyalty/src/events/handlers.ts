import type { EventHandlers } from '@crm/events';
import { businessDateChangedHandler } from '@crm/service-kit';
import type { DB } from '../db/schema.ts';
import { onCustomerProfileUpdated } from './customer-profile-updated.handler.ts';
import { onCustomerRegistered } from './customer-registered.handler.ts';
import { onInstalmentPaid } from './instalment-paid.handler.ts';
import { onLoanClosed } from './loan-closed.handler.ts';
import { onLoanDisbursed } from './loan-disbursed.handler.ts';
import { onRelationshipManagerAssigned } from './relationship-manager-assigned.handler.ts';
import { onRepaymentReversed } from './repayment-reversed.handler.ts';
import { onSurveyResponded } from './survey-responded.handler.ts';

/** Events from other services that loyalty reacts to. */
export const handlers: EventHandlers<DB> = {
  CustomerRegistered: onCustomerRegistered,
  CustomerProfileUpdated: onCustomerProfileUpdated,
  RelationshipManagerAssigned: onRelationshipManagerAssigned,
  LoanDisbursed: onLoanDisbursed,
  InstalmentPaid: onInstalmentPaid,
  RepaymentReversed: onRepaymentReversed,
  LoanClosed: onLoanClosed,
  SurveyResponded: onSurveyResponded,
  // credit's business date bounds this service's job runs (issue 10)
  BusinessDateChanged: businessDateChangedHandler<DB>(),
};
