import { emit } from '@crm/events';
import { runCommand, type UserError } from '@crm/service-kit';
import type { CreditContext } from '../context.ts';
import { findApprovalPolicy } from '../db/approval-policy.store.ts';
import { findBusinessDate } from '../db/business-date.store.ts';
import { lockLoan, lockSchedule, updateLoan } from '../db/loan.store.ts';
import { assertLoanInScope } from '../db/scope.ts';
import { writeOffNeedsAdministrator } from '../domain/approval.ts';
import { checkStatus } from '../domain/loans.ts';
import { amountScale, Money, moneyString } from '../domain/money.ts';

export interface WriteOffLoanCommand {
  loanId: string;
  reason: string;
  /** Today when absent. */
  writtenOffOn: string | null;
}

/**
 * Writes off an active loan, recording who did it. Four eyes: whoever applied for or approved the
 * loan cannot write it off (SAME_PERSON). Above the currency's `write_off_admin_above` outstanding
 * principal, only an administrator may (ADMINISTRATOR_REQUIRED). Outside the caller's scope: FORBIDDEN, nothing changes.
 */
export async function writeOffLoan(ctx: CreditContext, cmd: WriteOffLoanCommand): Promise<{ userErrors: UserError[] }> {
  const actorId = ctx.identity?.userId ?? 'unknown';
  await assertLoanInScope(ctx.db, ctx.scope, cmd.loanId);
  // The business date (the wall clock's until one is set or closed), as every value date.
  const today = (await findBusinessDate(ctx.db, ctx.now())).date;
  const on = cmd.writtenOffOn ?? today;
  const reason = cmd.reason.trim();
  return runCommand(ctx, { action: 'writeOffLoan', entityType: 'Loan', entityId: cmd.loanId }, async (tx, audit) => {
    const loan = await lockLoan(tx, ctx.scope, cmd.loanId);
    if (!loan) return { userErrors: [{ field: 'loanId', code: 'LOAN_NOT_FOUND', message: `No loan ${cmd.loanId}` }] };
    const problems = checkStatus(loan.status, 'ACTIVE', 'write off');
    if (!reason) problems.push({ field: 'reason', code: 'REQUIRED', message: 'must not be blank' });
    if (on > today) problems.push({ field: 'writtenOffOn', code: 'DATE_IN_FUTURE', message: 'cannot be in the future' });
    else if (loan.disbursed_on && on < loan.disbursed_on)
      problems.push({ field: 'writtenOffOn', code: 'BEFORE_DISBURSEMENT', message: 'must not be before the disbursement' });
    if (loan.applied_by === actorId || loan.approved_by === actorId || loan.first_approved_by === actorId)
      problems.push({ field: 'loanId', code: 'SAME_PERSON', message: 'the applicant or the approver of a loan cannot write it off' });
    if (problems.length) return { userErrors: problems };
    const schedule = await lockSchedule(tx, loan.id, loan.schedule_version);
    const outstanding = schedule.reduce((s, i) => s.plus(i.principal).minus(i.principal_paid), new Money(0));
    const policy = await findApprovalPolicy(tx, loan.currency);
    const limits = policy ? { secondApprovalAbove: policy.second_approval_above, writeOffAdministratorAbove: policy.write_off_admin_above } : null;
    if (writeOffNeedsAdministrator(outstanding, limits) && !ctx.identity?.roles.includes('administrator'))
      return {
        userErrors: [
          {
            field: 'loanId',
            code: 'ADMINISTRATOR_REQUIRED',
            message: `only an administrator may write off more than ${policy?.write_off_admin_above} ${loan.currency}`,
          },
        ],
      };
    await updateLoan(tx, loan.id, { status: 'WRITTEN_OFF', written_off_on: on, written_off_by: actorId, write_off_reason: reason });
    await emit(tx, 'LoanWrittenOff', {
      subject: loan.customer_id,
      data: {
        loanId: loan.id,
        customerId: loan.customer_id,
        writtenOffOn: on,
        outstandingPrincipal: moneyString(outstanding, amountScale(loan.currency)),
        currency: loan.currency,
        reason,
      },
    });
    audit.changes({ status: loan.status, writtenOffOn: null, writtenOffBy: null }, { status: 'WRITTEN_OFF', writtenOffOn: on, writtenOffBy: actorId });
    audit.detail({ outstandingPrincipal: moneyString(outstanding, amountScale(loan.currency)), currency: loan.currency });
    return { userErrors: [] };
  });
}
