import { auditRecordResolvers, countedConnection as counted, jobRunResolvers, scalarResolvers } from '@crm/service-kit';
import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { Customer } from './Customer.ts';
import {
  CrisisMeasure,
  CrisisMeasureLoan,
  customerRateDiscount,
  issue15Query,
  LoanPricing,
  LoyaltyRateDiscount,
  loanPricing,
  restructuringMeasure,
  warningOutcome,
} from './issue15.ts';
import {
  ApprovalPolicy,
  Collateral,
  CollateralValuation,
  CreditReview,
  DelinquencySnapshot,
  Guarantor,
  Instalment,
  Loan,
  LoanProduct,
  Repayment,
  Restructuring,
  RiskClassChange,
} from './Loan.ts';
import { Mutation } from './Mutation/index.ts';
import { Query } from './Query.ts';
import { LoanProductReminders } from './Reminders.ts';
import { RiskWarning, RiskWarningRule } from './RiskWarning.ts';

export const resolvers: Resolvers = {
  ...scalarResolvers,
  Query: { ...Query, ...issue15Query },
  Mutation,
  Customer: { ...Customer, ...customerRateDiscount },
  Loan: { ...Loan, ...loanPricing },
  LoanProduct: { ...LoanProduct, ...LoanProductReminders },
  Instalment,
  Repayment,
  RiskClassChange,
  Collateral,
  CollateralValuation,
  Guarantor,
  CreditReview,
  Restructuring: { ...Restructuring, ...restructuringMeasure },
  ApprovalPolicy,
  RiskWarning: { ...RiskWarning, ...warningOutcome },
  RiskWarningRule,
  // issue 15: loyalty pricing, crisis measures
  LoanPricing,
  LoyaltyRateDiscount,
  CrisisMeasure,
  CrisisMeasureLoan,
  CrisisMeasureConnection: counted,
  CrisisMeasureLoanConnection: counted,
  DelinquencySnapshot,
  /** Every connection's totalCount, counted only when selected. */
  LoanConnection: counted,
  InstalmentConnection: counted,
  RepaymentConnection: counted,
  RiskWarningConnection: counted,
  RiskClassChangeConnection: counted,
  CollateralConnection: counted,
  CollateralValuationConnection: counted,
  GuarantorConnection: counted,
  CreditReviewConnection: counted,
  RestructuringConnection: counted,
  DelinquencySnapshotConnection: counted,
  AuditRecord: auditRecordResolvers,
  JobRun: jobRunResolvers,
};
