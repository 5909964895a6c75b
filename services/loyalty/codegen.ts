import { subgraphCodegen } from '../../packages/service-kit/codegen-preset.ts';

export default subgraphCodegen({
  context: 'LoyaltyContext',
  mappers: {
    Customer: '../db/schema.ts#CustomerRef',
    LoyaltyAccount: '../db/account.store.ts#AccountWithBalance',
    PointsEntry: '../db/schema.ts#PointsEntryRow',
  },
});
