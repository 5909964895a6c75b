import { emit } from '@crm/events';
import { isoDate, requireIdentity, requireRole, type UserError } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { countDisbursedLoans, insertInstalments, lockLoan, updateLoan } from '../../db/loan.store.ts';
import { findProductsByIds } from '../../db/product.store.ts';
import { validateDisbursement } from '../../domain/loans.ts';
import { Money, minorUnits, moneyString } from '../../domain/money.ts';
import { generateSchedule } from '../../domain/schedule.ts';

export const disburseLoan: MutationResolvers['disburseLoan'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'loan_officer', 'branch_manager');
  const today = isoDate(ctx.now());
  const disbursedOn = input.disbursedOn ?? today;
  const errors = await ctx.db.transaction().execute(async (tx): Promise<UserError[]> => {
    const loan = await lockLoan(tx, input.loanId);
    if (!loan) return [{ field: 'loanId', code: 'NOT_FOUND', message: `No loan ${input.loanId}` }];
    const problems = validateDisbursement({ status: loan.status, approvedOn: loan.approved_at ? isoDate(loan.approved_at) : null }, disbursedOn, today);
    if (problems.length) return problems;
    const [product] = await findProductsByIds(tx, loan.product_id ? [loan.product_id] : []);
    if (!product || !loan.term_count) return [{ field: 'loanId', code: 'PRODUCT_NOT_FOUND', message: 'The loan has no product to schedule it by' }];
    const schedule = generateSchedule({
      principal: new Money(loan.principal),
      annualRate: new Money(loan.annual_rate),
      count: loan.term_count,
      frequency: product.frequency,
      method: product.amortisation,
      dayCount: product.day_count,
      startDate: disbursedOn,
      scale: minorUnits(loan.currency) ?? 2,
    });
    const cycle = (await countDisbursedLoans(tx, loan.customer_id)) + 1;
    await updateLoan(tx, loan.id, { status: 'ACTIVE', disbursed_on: disbursedOn, schedule_version: 1, loan_cycle: cycle });
    await insertInstalments(
      tx,
      schedule.map((i) => ({
        loan_id: loan.id,
        version: 1,
        number: i.number,
        due_date: i.dueDate,
        principal: moneyString(i.principal),
        interest: moneyString(i.interest),
      })),
    );
    const first = schedule[0];
    await emit(tx, 'LoanDisbursed', {
      subject: loan.customer_id,
      data: {
        loanId: loan.id,
        customerId: loan.customer_id,
        productCode: loan.product_code,
        principal: loan.principal,
        currency: loan.currency,
        disbursedOn,
        firstDueDate: first?.dueDate ?? disbursedOn,
        instalmentCount: schedule.length,
        officerId: loan.officer_id,
        loanCycle: cycle,
      },
    });
    return [];
  });
  return { loan: errors.length ? null : await ctx.loaders.loan.load(input.loanId), userErrors: errors };
};
