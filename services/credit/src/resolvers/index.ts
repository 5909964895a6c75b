import { scalarResolvers } from '@crm/service-kit';
import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { Customer } from './Customer.ts';
import { Loan } from './Loan.ts';
import { Query } from './Query.ts';

export const resolvers: Resolvers = {
  ...scalarResolvers,
  Query,
  Customer,
  Loan,
};
