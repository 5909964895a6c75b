import type { EventHandler } from '@crm/events';
import { createPlannedTask } from '../commands/create-planned-task.ts';
import { dispatchTriggeredSurvey } from '../commands/dispatch-triggered-survey.ts';
import { findRelationshipManagerId } from '../db/customer-replica.store.ts';
import { recordLoanDisbursed } from '../db/loan-replica.store.ts';
import { recordLoanTerms } from '../db/monitoring.store.ts';
import type { DB } from '../db/schema.ts';
import { findIntegerSetting, SETTING_POST_LOAN_VISIT_DAYS } from '../db/setting.store.ts';
import { DEFAULT_POST_LOAN_VISIT_DAYS, postLoanVisitTask } from '../domain/tasks.ts';

/**
 * A post-loan visit by the loan officer (else the relationship manager) within the configured
 * days, and the after-disbursement survey (once per loan).
 */
export const onLoanDisbursed: EventHandler<DB, 'LoanDisbursed'> = async (tx, event) => {
  const l = event.data;
  await recordLoanDisbursed(tx, { loanId: l.loanId, customerId: l.customerId, officerId: l.officerId, disbursedOn: l.disbursedOn, at: new Date(event.time) });
  // principal and product: the loan's monitoring cadence band (issue 15)
  await recordLoanTerms(tx, { loanId: l.loanId, productCode: l.productCode, principal: l.principal, currency: l.currency });
  const days = await findIntegerSetting(tx, SETTING_POST_LOAN_VISIT_DAYS, DEFAULT_POST_LOAN_VISIT_DAYS);
  const assigneeId = l.officerId ?? (await findRelationshipManagerId(tx, l.customerId));
  await createPlannedTask(tx, postLoanVisitTask({ customerId: l.customerId, loanId: l.loanId, disbursedOn: l.disbursedOn, days, assigneeId }), {
    sourceEventId: event.id,
  });
  await dispatchTriggeredSurvey(tx, {
    trigger: 'AFTER_DISBURSEMENT',
    customerId: l.customerId,
    sourceKey: `LOAN:${l.loanId}`,
    at: new Date(event.time),
  });
};
