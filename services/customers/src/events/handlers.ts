import type { EventHandlers } from '@crm/events';
import { businessDateChangedHandler } from '@crm/service-kit';
import type { DB } from '../db/schema.ts';
import { onComplaintReceived } from './complaint-received.handler.ts';
import { onComplaintResolved } from './complaint-resolved.handler.ts';
import { onDelinquencyBucketChanged } from './delinquency-bucket-changed.handler.ts';
import { onInstalmentOverdue } from './instalment-overdue.handler.ts';
import { onInstalmentPaid } from './instalment-paid.handler.ts';
import { onLoanClosed } from './loan-closed.handler.ts';
import { onLoanDisbursed } from './loan-disbursed.handler.ts';
import { onRepaymentReversed } from './repayment-reversed.handler.ts';
import { onSurveyResponded } from './survey-responded.handler.ts';
import { onTierChanged } from './tier-changed.handler.ts';

/**
 * Events from other services that feed the value score (kept as aggregates in this service's
 * tables). Each handler only maps the event onto a command of `commands/` (where the rule lives),
 * run in the consumer's transaction that also records the event id in the inbox.
 */
export const handlers: EventHandlers<DB> = {
  LoanDisbursed: onLoanDisbursed,
  InstalmentPaid: onInstalmentPaid,
  InstalmentOverdue: onInstalmentOverdue,
  DelinquencyBucketChanged: onDelinquencyBucketChanged,
  LoanClosed: onLoanClosed,
  RepaymentReversed: onRepaymentReversed,
  SurveyResponded: onSurveyResponded,
  ComplaintReceived: onComplaintReceived,
  ComplaintResolved: onComplaintResolved,
  TierChanged: onTierChanged,
  // credit's business date bounds this service's job runs (issue 10)
  BusinessDateChanged: businessDateChangedHandler<DB>(),
};
