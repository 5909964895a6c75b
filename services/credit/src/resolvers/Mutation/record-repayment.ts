import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { recordRepayment as recordRepaymentCommand } from '../../commands/record-repayment.ts';
import { findRepaymentById, findRepaymentByReference } from '../../db/repayment.store.ts';

/** Books a repayment; the same externalReference twice books once. Emits InstalmentPaid, LoanClosed. */
export const recordRepayment: MutationResolvers['recordRepayment'] = async (_parent, { input }, ctx) => {
  const outcome = await recordRepaymentCommand(ctx, input);
  if (outcome.userErrors.length) return { repayment: null, loan: null, userErrors: outcome.userErrors };
  const repayment = outcome.duplicate
    ? await findRepaymentByReference(ctx.db, input.externalReference.trim())
    : outcome.repaymentId
      ? await findRepaymentById(ctx.db, outcome.repaymentId)
      : undefined;
  if (!repayment) return { repayment: null, loan: null, userErrors: [] };
  if (repayment.loan_id !== input.loanId)
    return {
      repayment: null,
      loan: null,
      userErrors: [{ field: 'externalReference', code: 'DUPLICATE_REFERENCE', message: 'already booked on another loan' }],
    };
  return { repayment, loan: await ctx.loaders.loan.load(repayment.loan_id), userErrors: [] };
};
