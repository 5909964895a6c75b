import { subgraphCodegen } from '../../packages/service-kit/codegen-preset.ts';

export default subgraphCodegen({
  context: 'CustomersContext',
  mappers: {
    Customer: '../db/customer.store.ts#CustomerRecord',
    CustomerConnection: '../db/customer.store.ts#CustomerPage',
    IndividualProfile: '../db/schema.ts#IndividualProfileRow',
    EnterpriseProfile: '../db/schema.ts#EnterpriseProfileRow',
    ContactDetails: '../db/schema.ts#CustomerRow',
    Address: '../db/schema.ts#CustomerRow',
  },
});
