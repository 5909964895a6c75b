import { subgraphCodegen } from '../../packages/service-kit/codegen-preset.ts';

export default subgraphCodegen({
  context: 'CreditContext',
  mappers: {
    Customer: '../db/loan.store.ts#CustomerRef',
    Loan: '../db/schema.ts#LoanRow',
  },
});
