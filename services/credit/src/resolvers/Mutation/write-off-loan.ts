import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { writeOffLoan as writeOffLoanCommand } from '../../commands/write-off-loan.ts';

/** Writes off an active loan (not by its applicant or approver). Emits LoanWrittenOff. */
export const writeOffLoan: MutationResolvers['writeOffLoan'] = async (_parent, { input }, ctx) => {
  const { userErrors } = await writeOffLoanCommand(ctx, { loanId: input.loanId, reason: input.reason, writtenOffOn: input.writtenOffOn ?? null });
  return { loan: userErrors.length ? null : await ctx.loaders.loan.load(input.loanId), userErrors };
};
