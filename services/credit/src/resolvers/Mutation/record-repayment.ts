import { emit } from '@crm/events';
import { isoDate, requireIdentity, requireRole, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { findLoansByIds, lockLoan, lockSchedule, updateLoan } from '../../db/loan.store.ts';
import { findProductsByIds } from '../../db/product.store.ts';
import { applyAllocation, findRepaymentByReference, insertRepayment } from '../../db/repayment.store.ts';
import { allocateRepayment, instalmentPaidTotals } from '../../domain/allocation.ts';
import { Money, minorUnits, moneyString } from '../../domain/money.ts';
import { daysLate, validateRepayment } from '../../domain/repayments.ts';

export const recordRepayment: MutationResolvers['recordRepayment'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'loan_officer', 'branch_manager', 'service_agent');
  const reference = input.externalReference.trim();
  const firstBooking = async () => {
    const existing = await findRepaymentByReference(ctx.db, reference);
    if (!existing) return null;
    if (existing.loan_id !== input.loanId) {
      return {
        repayment: null,
        loan: null,
        userErrors: [{ field: 'externalReference', code: 'DUPLICATE_REFERENCE', message: 'already booked on another loan' }],
      };
    }
    return { repayment: existing, loan: await ctx.loaders.loan.load(existing.loan_id), userErrors: [] };
  };
  const earlier = await firstBooking();
  if (earlier) return earlier;

  const [current] = await findLoansByIds(ctx.db, [input.loanId]);
  if (!current) return { repayment: null, loan: null, userErrors: [{ field: 'loanId', code: 'NOT_FOUND', message: `No loan ${input.loanId}` }] };
  const today = isoDate(ctx.now());
  const invalid = validateRepayment(input, { status: current.status, currency: current.currency, disbursedOn: current.disbursed_on }, today);
  if (invalid.length) return { repayment: null, loan: null, userErrors: invalid };

  const id = uuidv7();
  const outcome = await ctx.db.transaction().execute(async (tx): Promise<{ errors: UserError[]; duplicate: boolean }> => {
    const loan = await lockLoan(tx, input.loanId);
    if (!loan) return { errors: [{ field: 'loanId', code: 'NOT_FOUND', message: `No loan ${input.loanId}` }], duplicate: false };
    if (await findRepaymentByReference(tx, reference)) return { errors: [], duplicate: true };
    const again = validateRepayment(input, { status: loan.status, currency: loan.currency, disbursedOn: loan.disbursed_on }, today);
    if (again.length) return { errors: again, duplicate: false };
    const [product] = await findProductsByIds(tx, loan.product_id ? [loan.product_id] : []);
    const schedule = await lockSchedule(tx, loan.id, loan.schedule_version);
    const open = schedule
      .filter((i) => i.paid_on === null)
      .map((i) => ({
        number: i.number,
        dueDate: i.due_date,
        principal: new Money(i.principal),
        interest: new Money(i.interest),
        penalty: new Money(i.penalty),
        principalPaid: new Money(i.principal_paid),
        interestPaid: new Money(i.interest_paid),
        penaltyPaid: new Money(i.penalty_paid),
      }));
    const allocation = allocateRepayment(open, new Money(input.amount), input.paidOn, product?.overpayment_policy ?? 'REFUSE');
    if (!allocation.ok) return { errors: [{ field: 'amount', code: allocation.code, message: allocation.message }], duplicate: false };
    const a = allocation.value;
    await insertRepayment(tx, {
      id,
      loan_id: loan.id,
      amount: moneyString(input.amount),
      currency: loan.currency,
      paid_on: input.paidOn,
      channel: input.channel.trim(),
      external_reference: reference,
      penalty_paid: moneyString(a.penalty),
      interest_paid: moneyString(a.interest),
      principal_paid: moneyString(a.principal),
      prepaid_principal: moneyString(a.prepaid),
      recorded_by: identity.userId,
      recorded_at: ctx.now(),
    });
    await applyAllocation(
      tx,
      { id, loanId: loan.id, version: loan.schedule_version, paidOn: input.paidOn },
      a.lines.map((l) => ({
        number: l.number,
        penalty: moneyString(l.penalty),
        interest: moneyString(l.interest),
        principal: moneyString(l.principal),
        interestWaived: moneyString(l.interestWaived),
        paidOn: l.settles ? input.paidOn : null,
      })),
    );
    const scale = minorUnits(loan.currency) ?? 2;
    for (const l of a.lines.filter((x) => x.settles)) {
      const i = open.find((x) => x.number === l.number);
      if (!i) continue;
      const late = daysLate(i.dueDate, input.paidOn);
      // Cumulative per instalment: what earlier repayments paid on it plus this allocation.
      const paid = instalmentPaidTotals(i, l);
      await emit(tx, 'InstalmentPaid', {
        subject: loan.customer_id,
        data: {
          loanId: loan.id,
          customerId: loan.customer_id,
          instalmentNumber: i.number,
          dueDate: i.dueDate,
          paidOn: input.paidOn,
          amountPaid: moneyString(paid.total),
          currency: loan.currency,
          onTime: late === 0,
          daysLate: late,
          repaymentId: id,
          // Exact sums of amounts already in the minor unit, written at its scale (moneyString rounds
          // ROUND_HALF_UP, a no-op here).
          interestPaid: moneyString(paid.interest, scale),
          penaltyPaid: moneyString(paid.penalty, scale),
        },
      });
    }
    const settled = new Set(a.lines.filter((l) => l.settles).map((l) => l.number));
    if (schedule.every((i) => i.paid_on !== null || settled.has(i.number))) {
      const onTime = schedule.every((i) => (i.paid_on ?? input.paidOn) <= i.due_date);
      await updateLoan(tx, loan.id, { status: 'CLOSED', closed_on: input.paidOn });
      await emit(tx, 'LoanClosed', {
        subject: loan.customer_id,
        data: {
          loanId: loan.id,
          customerId: loan.customer_id,
          closedOn: input.paidOn,
          principal: loan.principal,
          currency: loan.currency,
          repaidOnTimeInFull: onTime,
        },
      });
    }
    return { errors: [], duplicate: false };
  });
  if (outcome.duplicate) return (await firstBooking()) ?? { repayment: null, loan: null, userErrors: [] };
  if (outcome.errors.length) return { repayment: null, loan: null, userErrors: outcome.errors };
  const [repayment] = await ctx.loaders.repayments.load(input.loanId).then((rs) => rs.filter((r) => r.id === id));
  return { repayment: repayment ?? null, loan: await ctx.loaders.loan.load(input.loanId), userErrors: [] };
};
