import { emit } from '@crm/events';
import { isoDate, requireIdentity, requireRole, type UserError } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { lockLoan, lockSchedule, updateLoan } from '../../db/loan.store.ts';
import { checkStatus } from '../../domain/loans.ts';
import { Money, moneyString } from '../../domain/money.ts';

export const writeOffLoan: MutationResolvers['writeOffLoan'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'branch_manager', 'risk_officer');
  const today = isoDate(ctx.now());
  const on = input.writtenOffOn ?? today;
  const reason = input.reason.trim();
  const errors = await ctx.db.transaction().execute(async (tx): Promise<UserError[]> => {
    const loan = await lockLoan(tx, input.loanId);
    if (!loan) return [{ field: 'loanId', code: 'NOT_FOUND', message: `No loan ${input.loanId}` }];
    const problems = checkStatus(loan.status, 'ACTIVE', 'write off');
    if (!reason) problems.push({ field: 'reason', code: 'REQUIRED', message: 'must not be blank' });
    if (on > today) problems.push({ field: 'writtenOffOn', code: 'DATE_IN_FUTURE', message: 'cannot be in the future' });
    else if (loan.disbursed_on && on < loan.disbursed_on)
      problems.push({ field: 'writtenOffOn', code: 'BEFORE_DISBURSEMENT', message: 'must not be before the disbursement' });
    if (problems.length) return problems;
    const schedule = await lockSchedule(tx, loan.id, loan.schedule_version);
    const outstanding = schedule.reduce((s, i) => s.plus(i.principal).minus(i.principal_paid), new Money(0));
    await updateLoan(tx, loan.id, { status: 'WRITTEN_OFF', written_off_on: on, write_off_reason: reason });
    await emit(tx, 'LoanWrittenOff', {
      subject: loan.customer_id,
      data: {
        loanId: loan.id,
        customerId: loan.customer_id,
        writtenOffOn: on,
        outstandingPrincipal: moneyString(outstanding),
        currency: loan.currency,
        reason,
      },
    });
    return [];
  });
  return { loan: errors.length ? null : await ctx.loaders.loan.load(input.loanId), userErrors: errors };
};
