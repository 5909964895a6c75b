import { emit } from '@crm/events';
import { isoDate, runCommand, type UserError } from '@crm/service-kit';
import type { CreditContext } from '../context.ts';
import { findBusinessDate } from '../db/business-date.store.ts';
import { countDisbursedLoans, insertInstalments, lockLoan, updateLoan } from '../db/loan.store.ts';
import { findProductsByIds, scheduleConventionsOf } from '../db/product.store.ts';
import { assertLoanInScope } from '../db/scope.ts';
import { disbursementAmounts, disbursementFee, effectiveAnnualRate, scheduleCashFlows } from '../domain/fees.ts';
import { validateDisbursement, validateFirstDueDate } from '../domain/loans.ts';
import { amountScale, Money, minorUnits, moneyString } from '../domain/money.ts';
import { generateSchedule } from '../domain/schedule.ts';

export interface DisburseLoanCommand {
  loanId: string;
  /** Today when absent. */
  disbursedOn: string | null;
  /** A chosen first due date (within the product's first-period bounds); one period after the disbursement when absent. */
  firstDueDate?: string | null;
}

/**
 * Disburses an approved loan, generates its schedule and records who disbursed it. Outside the
 * caller's scope: FORBIDDEN, nothing changes.
 */
export async function disburseLoan(ctx: CreditContext, cmd: DisburseLoanCommand): Promise<{ userErrors: UserError[] }> {
  const actorId = ctx.identity?.userId ?? 'unknown';
  await assertLoanInScope(ctx.db, ctx.scope, cmd.loanId);
  // The business date by default (the wall clock's date until one is set or closed); not after it.
  const today = (await findBusinessDate(ctx.db, ctx.now())).date;
  const disbursedOn = cmd.disbursedOn ?? today;
  return runCommand(ctx, { action: 'disburseLoan', entityType: 'Loan', entityId: cmd.loanId }, async (tx, audit): Promise<{ userErrors: UserError[] }> => {
    const loan = await lockLoan(tx, ctx.scope, cmd.loanId);
    if (!loan) return { userErrors: [{ field: 'loanId', code: 'LOAN_NOT_FOUND', message: `No loan ${cmd.loanId}` }] };
    const problems = validateDisbursement(
      { status: loan.status, approvedOn: loan.approved_on ?? (loan.approved_at ? isoDate(loan.approved_at) : null) },
      disbursedOn,
      today,
    );
    if (problems.length) return { userErrors: problems };
    const [product] = await findProductsByIds(tx, loan.product_id ? [loan.product_id] : []);
    if (!product || !loan.term_count)
      return { userErrors: [{ field: 'loanId', code: 'PRODUCT_NOT_FOUND', message: 'The loan has no product to schedule it by' }] };
    const firstDueDate = cmd.firstDueDate ?? null;
    if (firstDueDate) {
      const bad = validateFirstDueDate(firstDueDate, disbursedOn, {
        frequency: product.frequency,
        minFirstPeriodDays: product.min_first_period_days,
        maxFirstPeriodDays: product.max_first_period_days,
      });
      if (bad.length) return { userErrors: bad };
    }
    const scale = minorUnits(loan.currency) ?? 2;
    const conventions = scheduleConventionsOf(product);
    const principal = new Money(loan.principal);
    const fee = disbursementFee(principal, {
      rate: product.disbursement_fee_rate ? new Money(product.disbursement_fee_rate) : null,
      flat: product.disbursement_fee_flat ? new Money(product.disbursement_fee_flat) : null,
      scale,
      rounding: conventions.rounding,
    });
    // Deducted from the payout, or financed: added to the principal the schedule amortises.
    const { financed, netDisbursed } = disbursementAmounts(principal, fee, product.disbursement_fee_financed ?? false);
    const instalmentFee = new Money(product.instalment_fee ?? 0);
    const schedule = generateSchedule({
      principal: financed,
      annualRate: new Money(loan.annual_rate),
      count: loan.term_count,
      frequency: product.frequency,
      method: product.amortisation,
      dayCount: product.day_count,
      startDate: disbursedOn,
      scale,
      ...conventions,
      firstDueDate,
      principalGrace: product.principal_grace_periods ?? 0,
      interestGrace: product.interest_grace_periods ?? 0,
    });
    // the IRR of the net payout and the instalments, each with its per-instalment fee
    const eir = effectiveAnnualRate(
      scheduleCashFlows(
        disbursedOn,
        netDisbursed,
        schedule.map((i) => ({ ...i, fee: instalmentFee })),
      ),
    );
    const cycle = (await countDisbursedLoans(tx, loan.customer_id)) + 1;
    await updateLoan(tx, loan.id, {
      status: 'ACTIVE',
      disbursed_on: disbursedOn,
      disbursed_by: actorId,
      schedule_version: 1,
      loan_cycle: cycle,
      first_due_date: firstDueDate,
      disbursement_fee: moneyString(fee, amountScale(loan.currency)),
      net_disbursed: moneyString(netDisbursed, amountScale(loan.currency)),
      financed_amount: moneyString(financed, amountScale(loan.currency)),
      effective_annual_rate: eir?.toFixed(6) ?? null,
    });
    await insertInstalments(
      tx,
      schedule.map((i) => ({
        loan_id: loan.id,
        version: 1,
        number: i.number,
        due_date: i.dueDate,
        principal: moneyString(i.principal, amountScale(loan.currency)),
        interest: moneyString(i.interest, amountScale(loan.currency)),
        // Zeros at the currency's scale ("0.00", "0.000"): amounts keep the scale they are written with.
        principal_paid: moneyString(0, amountScale(loan.currency)),
        interest_paid: moneyString(0, amountScale(loan.currency)),
        penalty: moneyString(0, amountScale(loan.currency)),
        penalty_paid: moneyString(0, amountScale(loan.currency)),
        interest_waived: moneyString(0, amountScale(loan.currency)),
        fee: moneyString(instalmentFee, amountScale(loan.currency)),
        fee_paid: moneyString(0, amountScale(loan.currency)),
        fee_waived: moneyString(0, amountScale(loan.currency)),
        // the expected figure (DAILY_ACCRUAL restates `interest` to what accrues on the actual balance)
        scheduled_interest: moneyString(i.interest, amountScale(loan.currency)),
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
    audit.changes({ status: loan.status, disbursedOn: null, disbursedBy: null }, { status: 'ACTIVE', disbursedOn, disbursedBy: actorId });
    audit.detail({
      principal: loan.principal,
      currency: loan.currency,
      instalments: schedule.length,
      firstDueDate,
      disbursementFee: moneyString(fee, amountScale(loan.currency)),
      disbursementFeeFinanced: product.disbursement_fee_financed ?? false,
      financedAmount: moneyString(financed, amountScale(loan.currency)),
      instalmentFee: moneyString(instalmentFee, amountScale(loan.currency)),
      effectiveAnnualRate: eir?.toFixed(6) ?? null,
    });
    return { userErrors: [] };
  });
}
