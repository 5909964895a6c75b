import { auditRecordResolvers, jobRunResolvers, scalarResolvers } from '@crm/service-kit';
import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { Customer } from './Customer.ts';
import { counted } from './connections.ts';
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
import { RiskWarning, RiskWarningRule } from './RiskWarning.ts';

export const resolvers: Resolvers = {
  ...scalarResolvers,
  Query,
  Mutation,
  Customer,
  Loan,
  LoanProduct,
  Instalment,
  Repayment,
  RiskClassChange,
  Collateral,
  CollateralValuation,
  Guarantor,
  CreditReview,
  Restructuring,
  ApprovalPolicy,
  RiskWarning,
  RiskWarningRule,
  DelinquencySnapshot,
  /** Every connection's totalCount, counted only when selected. */
  LoanConnection: counted,
  InstalmentConnection: counted,
  RepaymentConnection: counted,
  RiskWarningConnection: counted,
  RiskClassChangeConnection: counted,
  CollateralConnection: counted,
  GuarantorConnection: counted,
  CreditReviewConnection: counted,
  RestructuringConnection: counted,
  DelinquencySnapshotConnection: counted,
  AuditRecord: auditRecordResolvers,
  JobRun: jobRunResolvers,
};
