import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { applyForLoan } from './apply-for-loan.ts';
import { approveLoan } from './approve-loan.ts';
import { closeLoan } from './close-loan.ts';
import { createLoanProduct } from './create-loan-product.ts';
import { disburseLoan } from './disburse-loan.ts';
import { overrideRiskClass } from './override-risk-class.ts';
import { recordRepayment } from './record-repayment.ts';
import { runEndOfDay } from './run-end-of-day.ts';
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
  closeLoan,
  writeOffLoan,
  runEndOfDay,
  overrideRiskClass,
  setRiskClassThresholds,
  updateRiskWarning,
  updateRiskWarningRule,
};
