import { emit } from '@crm/events';
import { runCommand, type UserError } from '@crm/service-kit';
import type { CreditContext } from '../context.ts';
import { lockLoan, updateLoan } from '../db/loan.store.ts';
import { assertLoanInScope } from '../db/scope.ts';
import { checkStatus } from '../domain/loans.ts';

export interface ApproveLoanCommand {
  loanId: string;
}

/**
 * Approves an application. Four eyes: the approver is never the person who applied for the loan
 * nor its officer (SAME_PERSON). A loan outside the caller's scope is FORBIDDEN and nothing changes.
 */
export async function approveLoan(ctx: CreditContext, cmd: ApproveLoanCommand): Promise<{ userErrors: UserError[] }> {
  const actorId = ctx.identity?.userId ?? 'unknown';
  await assertLoanInScope(ctx.db, ctx.scope, cmd.loanId);
  const now = ctx.now();
  return runCommand(ctx, { action: 'approveLoan', entityType: 'Loan', entityId: cmd.loanId }, async (tx, audit) => {
    const loan = await lockLoan(tx, ctx.scope, cmd.loanId);
    if (!loan) return { userErrors: [{ field: 'loanId', code: 'NOT_FOUND', message: `No loan ${cmd.loanId}` }] };
    const problems = checkStatus(loan.status, 'APPLIED', 'approve');
    if (problems.length) return { userErrors: problems };
    if (loan.applied_by === actorId || loan.officer_id === actorId)
      return { userErrors: [{ field: 'loanId', code: 'SAME_PERSON', message: 'the applicant or the officer of a loan cannot approve it' }] };
    await updateLoan(tx, loan.id, { status: 'APPROVED', approved_by: actorId, approved_at: now });
    await emit(tx, 'LoanApproved', {
      subject: loan.customer_id,
      data: { loanId: loan.id, customerId: loan.customer_id, approvedBy: actorId, approvedAt: now.toISOString() },
    });
    audit.changes({ status: loan.status, approvedBy: loan.approved_by }, { status: 'APPROVED', approvedBy: actorId });
    audit.detail({ principal: loan.principal, currency: loan.currency });
    return { userErrors: [] };
  });
}
