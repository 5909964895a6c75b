import { emit } from '@crm/events';
import { isoDate, runCommand, type UserError } from '@crm/service-kit';
import type { CreditContext } from '../context.ts';
import { lockLoan, lockSchedule, updateLoan } from '../db/loan.store.ts';
import { assertLoanInScope } from '../db/scope.ts';
import { checkStatus } from '../domain/loans.ts';

export interface CloseLoanCommand {
  loanId: string;
}

/** Closes an active loan whose schedule is fully paid. Outside the caller's scope: FORBIDDEN, nothing changes. */
export async function closeLoan(ctx: CreditContext, cmd: CloseLoanCommand): Promise<{ userErrors: UserError[] }> {
  await assertLoanInScope(ctx.db, ctx.scope, cmd.loanId);
  const today = isoDate(ctx.now());
  return runCommand(ctx, { action: 'closeLoan', entityType: 'Loan', entityId: cmd.loanId }, async (tx, audit): Promise<{ userErrors: UserError[] }> => {
    const loan = await lockLoan(tx, ctx.scope, cmd.loanId);
    if (!loan) return { userErrors: [{ field: 'loanId', code: 'NOT_FOUND', message: `No loan ${cmd.loanId}` }] };
    const problems = checkStatus(loan.status, 'ACTIVE', 'close');
    if (problems.length) return { userErrors: problems };
    const schedule = await lockSchedule(tx, loan.id, loan.schedule_version);
    if (schedule.some((i) => i.paid_on === null))
      return { userErrors: [{ field: 'loanId', code: 'LOAN_NOT_REPAID', message: 'instalments are still unpaid' }] };
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
    audit.changes({ status: loan.status, closedOn: null }, { status: 'CLOSED', closedOn: today });
    return { userErrors: [] };
  });
}
