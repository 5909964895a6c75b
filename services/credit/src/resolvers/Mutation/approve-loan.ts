import { emit } from '@crm/events';
import { requireIdentity, requireRole } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { lockLoan, updateLoan } from '../../db/loan.store.ts';
import { checkStatus } from '../../domain/loans.ts';

export const approveLoan: MutationResolvers['approveLoan'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'branch_manager', 'risk_officer');
  const now = ctx.now();
  const errors = await ctx.db.transaction().execute(async (tx) => {
    const loan = await lockLoan(tx, input.loanId);
    if (!loan) return [{ field: 'loanId', code: 'NOT_FOUND', message: `No loan ${input.loanId}` }];
    const problems = checkStatus(loan.status, 'APPLIED', 'approve');
    if (problems.length) return problems;
    await updateLoan(tx, loan.id, { status: 'APPROVED', approved_by: identity.userId, approved_at: now });
    await emit(tx, 'LoanApproved', {
      subject: loan.customer_id,
      data: { loanId: loan.id, customerId: loan.customer_id, approvedBy: identity.userId, approvedAt: now.toISOString() },
    });
    return [];
  });
  return { loan: errors.length ? null : await ctx.loaders.loan.load(input.loanId), userErrors: errors };
};
