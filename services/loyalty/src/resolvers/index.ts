import { auditRecordResolvers, jobRunResolvers, scalarResolvers } from '@crm/service-kit';
import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { Customer } from './Customer.ts';
import { LoyaltyAccount, LoyaltyAccountConnection, LoyaltyReferralConnection, PointsEntry, PointsEntryConnection } from './LoyaltyAccount.ts';
import { Mutation } from './Mutation/index.ts';
import {
  LoyaltyEarningRule,
  LoyaltyRedemption,
  LoyaltyRedemptionConnection,
  LoyaltyReward,
  LoyaltySettings,
  LoyaltyTier,
  LoyaltyTierBenefits,
} from './Programme.ts';
import { Query } from './Query.ts';

export const resolvers: Resolvers = {
  DateTime: scalarResolvers.DateTime,
  Date: scalarResolvers.Date,
  Decimal: scalarResolvers.Decimal,
  Query,
  Mutation,
  Customer,
  LoyaltyAccount,
  LoyaltyAccountConnection,
  LoyaltyReferralConnection,
  PointsEntry,
  PointsEntryConnection,
  LoyaltyRedemptionConnection,
  LoyaltyTier,
  LoyaltyTierBenefits,
  LoyaltyEarningRule,
  LoyaltySettings,
  LoyaltyReward,
  LoyaltyRedemption,
  AuditRecord: auditRecordResolvers,
  JobRun: jobRunResolvers,
};
