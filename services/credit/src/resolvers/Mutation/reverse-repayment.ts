import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { reverseRepayment as reverseRepaymentCommand } from '../../commands/reverse-repayment.ts';
import { findRepaymentById } from '../../db/repayment.store.ts';

/** Reverses a repayment, with a reason; the loan returns to its state without it. Emits RepaymentReversed. */
export const reverseRepayment: MutationResolvers['reverseRepayment'] = async (_parent, { input }, ctx) => {
  const { userErrors, loanId } = await reverseRepaymentCommand(ctx, { repaymentId: input.repaymentId, reason: input.reason });
  if (userErrors.length || !loanId) return { repayment: null, loan: null, userErrors };
  const repayment = await findRepaymentById(ctx.db, input.repaymentId);
  return { repayment: repayment ?? null, loan: await ctx.loaders.loan.load(loanId), userErrors: [] };
};
