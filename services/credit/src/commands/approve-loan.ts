import { emit } from '@crm/events';
import { runCommand, type UserError } from '@crm/service-kit';
import type { CreditContext } from '../context.ts';
import { findApprovalPolicy } from '../db/approval-policy.store.ts';
import { findBusinessDate } from '../db/business-date.store.ts';
import { lockLoan, updateLoan } from '../db/loan.store.ts';
import { assertLoanInScope } from '../db/scope.ts';
import { needsSecondApproval } from '../domain/approval.ts';
import { checkStatus } from '../domain/loans.ts';

export interface ApproveLoanCommand {
  loanId: string;
}

/**
 * Approves an application. Four eyes: the approver is never the person who applied for the loan
 * nor its officer (SAME_PERSON). A loan whose principal is above its currency's
 * `approval_policy.second_approval_above` (every loan, when the currency has no policy) needs two
 * approvals by two different people: the first is recorded (`first_approved_by`, status stays
 * APPLIED, no event), the second, by someone who is neither the applicant, the officer nor the
 * first approver (SAME_PERSON), makes it APPROVED and emits LoanApproved. Who may approve at all is
 * the mutation's `@allow` (branch managers, risk officers, administrators). A loan outside the
 * caller's scope is FORBIDDEN and nothing changes.
 */
export async function approveLoan(ctx: CreditContext, cmd: ApproveLoanCommand): Promise<{ userErrors: UserError[] }> {
  const actorId = ctx.identity?.userId ?? 'unknown';
  await assertLoanInScope(ctx.db, ctx.scope, cmd.loanId);
  const now = ctx.now();
  // Dated on the business date (the wall clock's until one is set or closed), as the disbursement that must not precede it.
  const approvedOn = (await findBusinessDate(ctx.db, now)).date;
  return runCommand(ctx, { action: 'approveLoan', entityType: 'Loan', entityId: cmd.loanId }, async (tx, audit) => {
    const loan = await lockLoan(tx, ctx.scope, cmd.loanId);
    if (!loan) return { userErrors: [{ field: 'loanId', code: 'LOAN_NOT_FOUND', message: `No loan ${cmd.loanId}` }] };
    const problems = checkStatus(loan.status, 'APPLIED', 'approve');
    if (problems.length) return { userErrors: problems };
    if (loan.applied_by === actorId || loan.officer_id === actorId)
      return { userErrors: [{ field: 'loanId', code: 'SAME_PERSON', message: 'the applicant or the officer of a loan cannot approve it' }] };
    if (loan.first_approved_by === actorId)
      return { userErrors: [{ field: 'loanId', code: 'SAME_PERSON', message: 'the second approval must come from someone other than the first approver' }] };
    const policy = await findApprovalPolicy(tx, loan.currency);
    const limits = policy ? { secondApprovalAbove: policy.second_approval_above, writeOffAdministratorAbove: policy.write_off_admin_above } : null;
    audit.detail({ principal: loan.principal, currency: loan.currency, secondApprovalAbove: policy?.second_approval_above ?? null });
    if (loan.first_approved_by === null && needsSecondApproval(loan.principal, limits)) {
      await updateLoan(tx, loan.id, { first_approved_by: actorId, first_approved_at: now });
      audit.changes({ status: loan.status, firstApprovedBy: null }, { status: loan.status, firstApprovedBy: actorId });
      return { userErrors: [] };
    }
    await updateLoan(tx, loan.id, { status: 'APPROVED', approved_by: actorId, approved_at: now, approved_on: approvedOn });
    await emit(tx, 'LoanApproved', {
      subject: loan.customer_id,
      data: { loanId: loan.id, customerId: loan.customer_id, approvedBy: actorId, approvedAt: now.toISOString() },
    });
    audit.changes({ status: loan.status, approvedBy: loan.approved_by }, { status: 'APPROVED', approvedBy: actorId });
    return { userErrors: [] };
  });
}
