import { subgraphCodegen } from '../../packages/service-kit/codegen-preset.ts';

export default subgraphCodegen({
  context: 'LoyaltyContext',
  mappers: {
    Customer: '../db/schema.ts#CustomerRef',
    LoyaltyAccount: '../db/account.store.ts#AccountWithBalance',
    PointsEntry: '../db/schema.ts#PointsEntryRow',
    LoyaltyTier: '../db/schema.ts#LoyaltyTierRow',
    LoyaltyTierBenefits: '../db/schema.ts#LoyaltyTierRow',
    LoyaltyEarningRule: '../db/schema.ts#EarningRuleRow',
    LoyaltySettings: '../db/schema.ts#LoyaltySettingRow',
    LoyaltyReward: '../db/schema.ts#RewardRow',
    LoyaltyRedemption: '../db/schema.ts#RedemptionRow',
    AuditRecord: '@crm/service-kit#AuditRow',
    LoyaltyAccountConnection: '../db/account.store.ts#AccountPage',
    PointsEntryConnection: '../db/ledger.store.ts#EntryPage',
    LoyaltyRedemptionConnection: '../db/reward.store.ts#RedemptionPage',
    LoyaltyReferralConnection: '../db/referral.store.ts#ReferralPage',
  },
});
