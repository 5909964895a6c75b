import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { approveLoan as approveLoanCommand } from '../../commands/approve-loan.ts';

/** Approves an application (not by its applicant or officer). Emits LoanApproved. */
export const approveLoan: MutationResolvers['approveLoan'] = async (_parent, { input }, ctx) => {
  const { userErrors } = await approveLoanCommand(ctx, { loanId: input.loanId });
  return { loan: userErrors.length ? null : await ctx.loaders.loan.load(input.loanId), userErrors };
};
