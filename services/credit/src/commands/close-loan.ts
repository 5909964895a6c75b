import { emit } from '@crm/events';
import { runCommand, type UserError } from '@crm/service-kit';
import type { CreditContext } from '../context.ts';
import { findBusinessDate } from '../db/business-date.store.ts';
import { lockLoan, lockSchedule, markInstalmentsPaid, updateLoan } from '../db/loan.store.ts';
import { assertLoanInScope } from '../db/scope.ts';
import { checkStatus } from '../domain/loans.ts';
import { settledWithoutPayment } from '../domain/repayments.ts';

export interface CloseLoanCommand {
  loanId: string;
}

/** Closes an active loan whose schedule is fully paid (instalments owing nothing count as paid). Outside the caller's scope: FORBIDDEN, nothing changes. */
export async function closeLoan(ctx: CreditContext, cmd: CloseLoanCommand): Promise<{ userErrors: UserError[] }> {
  await assertLoanInScope(ctx.db, ctx.scope, cmd.loanId);
  // The business date (the wall clock's until one is set or closed), as every value date.
  const today = (await findBusinessDate(ctx.db, ctx.now())).date;
  return runCommand(ctx, { action: 'closeLoan', entityType: 'Loan', entityId: cmd.loanId }, async (tx, audit): Promise<{ userErrors: UserError[] }> => {
    const loan = await lockLoan(tx, ctx.scope, cmd.loanId);
    if (!loan) return { userErrors: [{ field: 'loanId', code: 'LOAN_NOT_FOUND', message: `No loan ${cmd.loanId}` }] };
    const problems = checkStatus(loan.status, 'ACTIVE', 'close');
    if (problems.length) return { userErrors: problems };
    const schedule = await lockSchedule(tx, loan.id, loan.schedule_version);
    // A loan whose outstanding balance is zero is repaid: instalments owing nothing (0.00 ones) count as paid on their due date.
    const quiet = settledWithoutPayment(schedule, today);
    const paidOn = new Map(quiet.map((q) => [q.number, q.paidOn]));
    if (schedule.some((i) => i.paid_on === null && !paidOn.has(i.number)))
      return { userErrors: [{ field: 'loanId', code: 'LOAN_NOT_REPAID', message: 'instalments are still unpaid' }] };
    await markInstalmentsPaid(tx, loan.id, loan.schedule_version, quiet);
    await updateLoan(tx, loan.id, { status: 'CLOSED', closed_on: today });
    await emit(tx, 'LoanClosed', {
      subject: loan.customer_id,
      data: {
        loanId: loan.id,
        customerId: loan.customer_id,
        closedOn: today,
        principal: loan.principal,
        currency: loan.currency,
        repaidOnTimeInFull: schedule.every((i) => (i.paid_on ?? paidOn.get(i.number) ?? today) <= i.due_date),
      },
    });
    audit.changes({ status: loan.status, closedOn: null }, { status: 'CLOSED', closedOn: today });
    return { userErrors: [] };
  });
}
