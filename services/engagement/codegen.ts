import { subgraphCodegen } from '../../packages/service-kit/codegen-preset.ts';

export default subgraphCodegen({
  context: 'EngagementContext',
  mappers: {
    Customer: '../db/schema.ts#CustomerRef',
    Interaction: '../db/schema.ts#InteractionRow',
    Task: '../db/schema.ts#TaskRow',
  },
});
