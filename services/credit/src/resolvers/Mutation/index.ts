import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { addCollateral } from './add-collateral.ts';
import { addGuarantor } from './add-guarantor.ts';
import { applyForLoan } from './apply-for-loan.ts';
import { approveLoan } from './approve-loan.ts';
import { closeBusinessDay } from './close-business-day.ts';
import { closeLoan } from './close-loan.ts';
import { createLoanProduct } from './create-loan-product.ts';
import { decideCrisisMeasure } from './decide-crisis-measure.ts';
import { decideRestructuring } from './decide-restructuring.ts';
import { declareCrisisMeasure } from './declare-crisis-measure.ts';
import { disburseLoan } from './disburse-loan.ts';
import { overrideRiskClass } from './override-risk-class.ts';
import { recordCreditReview } from './record-credit-review.ts';
import { recordRepayment } from './record-repayment.ts';
import { recordRiskWarningOutcome } from './record-risk-warning-outcome.ts';
import { requestRestructuring } from './request-restructuring.ts';
import { revalueCollateral } from './revalue-collateral.ts';
import { reverseRepayment } from './reverse-repayment.ts';
import { runCreditJob } from './run-credit-job.ts';
import { runEndOfDay } from './run-end-of-day.ts';
import { setApprovalPolicy } from './set-approval-policy.ts';
import { setBusinessDate } from './set-business-date.ts';
import { setIndustryWatchList } from './set-industry-watch-list.ts';
import { setLoanProductReminderDays } from './set-loan-product-reminder-days.ts';
import { setRiskClassThresholds } from './set-risk-class-thresholds.ts';
import { updateRiskWarning } from './update-risk-warning.ts';
import { updateRiskWarningRule } from './update-risk-warning-rule.ts';
import { writeOffLoan } from './write-off-loan.ts';

export const Mutation: MutationResolvers = {
  createLoanProduct,
  applyForLoan,
  approveLoan,
  disburseLoan,
  recordRepayment,
  reverseRepayment,
  closeLoan,
  writeOffLoan,
  runEndOfDay,
  runCreditJob,
  overrideRiskClass,
  setRiskClassThresholds,
  updateRiskWarning,
  updateRiskWarningRule,
  addCollateral,
  revalueCollateral,
  addGuarantor,
  recordCreditReview,
  requestRestructuring,
  decideRestructuring,
  setIndustryWatchList,
  setApprovalPolicy,
  closeBusinessDay,
  setBusinessDate,
  // issue 15: crisis measures, warning outcomes
  declareCrisisMeasure,
  decideCrisisMeasure,
  recordRiskWarningOutcome,
  // issue 15: due-reminder lead days per product
  setLoanProductReminderDays,
};
