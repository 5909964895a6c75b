import { subgraphCodegen } from '../../packages/service-kit/codegen-preset.ts';

export default subgraphCodegen({
  context: 'CreditContext',
  mappers: {
    Customer: '../db/loan.store.ts#CustomerRef',
    Loan: '../db/schema.ts#LoanRow',
    LoanProduct: '../db/schema.ts#LoanProductRow',
    Instalment: '../db/schema.ts#InstalmentRow',
    Repayment: '../db/schema.ts#RepaymentRow',
    RiskWarning: '../db/schema.ts#RiskWarningRow',
    RiskWarningRule: '../db/schema.ts#WarningRuleRow',
    RiskClassChange: '../db/schema.ts#RiskClassChangeRow',
    PortfolioSummary: '../domain/portfolio.ts#PortfolioFigures',
  },
});
