import type { LoanResolvers } from '../__generated__/resolvers-types.ts';

export const Loan: LoanResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.loan.load(ref.id),
  customer: (loan) => ({ id: loan.customer_id }),
  productCode: (loan) => loan.product_code,
  principal: (loan) => ({ amount: loan.principal, currency: loan.currency }),
  annualRate: (loan) => loan.annual_rate,
  termMonths: (loan) => loan.term_months,
  appliedAt: (loan) => loan.applied_at,
};
