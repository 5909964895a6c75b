import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { disburseLoan as disburseLoanCommand } from '../../commands/disburse-loan.ts';

/** Disburses an approved loan and generates its schedule. Emits LoanDisbursed. */
export const disburseLoan: MutationResolvers['disburseLoan'] = async (_parent, { input }, ctx) => {
  const { userErrors } = await disburseLoanCommand(ctx, {
    loanId: input.loanId,
    disbursedOn: input.disbursedOn ?? null,
    firstDueDate: input.firstDueDate ?? null,
  });
  return { loan: userErrors.length ? null : await ctx.loaders.loan.load(input.loanId), userErrors };
};
