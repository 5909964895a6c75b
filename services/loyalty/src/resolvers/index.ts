import { scalarResolvers } from '@crm/service-kit';
import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { Customer } from './Customer.ts';
import { LoyaltyAccount, PointsEntry } from './LoyaltyAccount.ts';
import { Query } from './Query.ts';

export const resolvers: Resolvers = {
  DateTime: scalarResolvers.DateTime,
  Query,
  Customer,
  LoyaltyAccount,
  PointsEntry,
};
