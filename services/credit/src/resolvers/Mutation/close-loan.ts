import { emit } from '@crm/events';
import { isoDate, requireIdentity, requireRole, type UserError } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { lockLoan, lockSchedule, updateLoan } from '../../db/loan.store.ts';
import { checkStatus } from '../../domain/loans.ts';

/** Closes an active loan whose schedule is fully paid (repayments close loans themselves; this is for the rest). */
export const closeLoan: MutationResolvers['closeLoan'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'loan_officer', 'branch_manager');
  const today = isoDate(ctx.now());
  const errors = await ctx.db.transaction().execute(async (tx): Promise<UserError[]> => {
    const loan = await lockLoan(tx, input.loanId);
    if (!loan) return [{ field: 'loanId', code: 'NOT_FOUND', message: `No loan ${input.loanId}` }];
    const problems = checkStatus(loan.status, 'ACTIVE', 'close');
    if (problems.length) return problems;
    const schedule = await lockSchedule(tx, loan.id, loan.schedule_version);
    if (schedule.some((i) => i.paid_on === null)) return [{ field: 'loanId', code: 'LOAN_NOT_REPAID', message: 'instalments are still unpaid' }];
    await updateLoan(tx, loan.id, { status: 'CLOSED', closed_on: today });
    await emit(tx, 'LoanClosed', {
      subject: loan.customer_id,
      data: {
        loanId: loan.id,
        customerId: loan.customer_id,
        closedOn: today,
        principal: loan.principal,
        currency: loan.currency,
        repaidOnTimeInFull: schedule.every((i) => (i.paid_on ?? today) <= i.due_date),
      },
    });
    return [];
  });
  return { loan: errors.length ? null : await ctx.loaders.loan.load(input.loanId), userErrors: errors };
};
