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
    Collateral: '../db/collateral.store.ts#CollateralWithValuations',
    CollateralValuation: '../db/schema.ts#CollateralValuationRow',
    Guarantor: '../db/schema.ts#GuarantorRow',
    CreditReview: '../db/schema.ts#CreditReviewRow',
    Restructuring: '../db/schema.ts#RestructuringRow',
    ApprovalPolicy: '../db/schema.ts#ApprovalPolicyRow',
    PortfolioSummary: '../domain/portfolio.ts#PortfolioFigures',
    AuditRecord: '@crm/service-kit#AuditRow',
  },
});
