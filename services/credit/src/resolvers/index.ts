import { scalarResolvers } from '@crm/service-kit';
import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { Customer } from './Customer.ts';
import { Instalment, Loan, LoanProduct, Repayment, RiskClassChange } from './Loan.ts';
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
  RiskWarning,
  RiskWarningRule,
};
