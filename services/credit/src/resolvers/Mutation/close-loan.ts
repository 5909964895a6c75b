import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { closeLoan as closeLoanCommand } from '../../commands/close-loan.ts';

/** Closes an active loan whose schedule is fully paid (repayments close loans themselves; this is for the rest). Emits LoanClosed. */
export const closeLoan: MutationResolvers['closeLoan'] = async (_parent, { input }, ctx) => {
  const { userErrors } = await closeLoanCommand(ctx, { loanId: input.loanId });
  return { loan: userErrors.length ? null : await ctx.loaders.loan.load(input.loanId), userErrors };
};
