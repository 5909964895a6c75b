import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { applyForLoan as applyForLoanCommand } from '../../commands/apply-for-loan.ts';

/** Records a loan application with the caller as its officer. Emits LoanApplied. */
export const applyForLoan: MutationResolvers['applyForLoan'] = async (_parent, { input }, ctx) => {
  const { loanId, userErrors } = await applyForLoanCommand(ctx, {
    customerId: input.customerId,
    productCode: input.productCode,
    principal: input.principal,
    annualRate: input.annualRate,
    termCount: input.termCount,
    purpose: input.purpose,
    officerId: input.officerId ?? null,
    idempotencyKey: input.idempotencyKey ?? null,
  });
  return { loan: loanId ? await ctx.loaders.loan.load(loanId) : null, userErrors };
};
