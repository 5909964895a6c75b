import { emit } from '@crm/events';
import { runCommand, type UserError } from '@crm/service-kit';
import type { DecideRestructuringInput } from '../__generated__/resolvers-types.ts';
import type { CreditContext } from '../context.ts';
import { restateDailyInterest } from '../db/accrual.store.ts';
import { findLoanInScope, lockLoan, lockSchedule, updateLoan } from '../db/loan.store.ts';
import { findProductsByIds, scheduleConventionsOf } from '../db/product.store.ts';
import { assertRestructuringInScope, decideRestructuringRow, lockRestructuring, writeScheduleVersion } from '../db/restructuring.store.ts';
import { SYSTEM_SCOPE } from '../db/scope.ts';
import { amountScale, Money, minorUnits, moneyString } from '../domain/money.ts';
import { restructureSchedule, validateRestructuring } from '../domain/restructuring.ts';
import { accrualTermsOf } from './daily-accrual.ts';

/**
 * Decides a requested restructuring. Approval (four eyes: not the requester) writes the next
 * schedule version and keeps the old one. Outside the caller's scope: FORBIDDEN, nothing changes.
 */
export async function decideRestructuring(ctx: CreditContext, cmd: DecideRestructuringInput): Promise<{ userErrors: UserError[]; loanId: string | null }> {
  const actorId = ctx.identity?.userId ?? 'unknown';
  await assertRestructuringInScope(ctx.db, ctx.scope, cmd.restructuringId);
  const now = ctx.now();
  return runCommand(
    ctx,
    { action: 'decideRestructuring', entityType: 'Restructuring', entityId: cmd.restructuringId },
    async (tx, audit): Promise<{ userErrors: UserError[]; loanId: string | null }> => {
      const r = await lockRestructuring(tx, ctx.scope, cmd.restructuringId);
      if (!r)
        return {
          userErrors: [{ field: 'restructuringId', code: 'RESTRUCTURING_NOT_FOUND', message: `No restructuring ${cmd.restructuringId}` }],
          loanId: null,
        };
      if (r.status !== 'REQUESTED')
        return { userErrors: [{ field: 'restructuringId', code: 'ALREADY_DECIDED', message: `the request is ${r.status}` }], loanId: r.loan_id };
      if (r.requested_by === actorId)
        return {
          userErrors: [{ field: 'restructuringId', code: 'SAME_PERSON', message: 'the requester cannot approve their own request' }],
          loanId: r.loan_id,
        };
      if (!cmd.approve) {
        await decideRestructuringRow(tx, r.id, { status: 'REJECTED', decided_by: actorId, decided_at: now });
        audit.changes({ status: r.status, decidedBy: null }, { status: 'REJECTED', decidedBy: actorId });
        const rejectedLoan = await findLoanInScope(tx, SYSTEM_SCOPE, r.loan_id);
        if (rejectedLoan) {
          await emit(tx, 'RestructuringRejected', {
            subject: rejectedLoan.customer_id,
            time: now,
            data: {
              restructuringId: r.id,
              loanId: r.loan_id,
              customerId: rejectedLoan.customer_id,
              kind: r.kind,
              decidedBy: actorId,
              decidedAt: now.toISOString(),
            },
          });
        }
        return { userErrors: [], loanId: r.loan_id };
      }
      const loan = await lockLoan(tx, ctx.scope, r.loan_id);
      if (!loan) return { userErrors: [{ field: 'restructuringId', code: 'LOAN_NOT_FOUND', message: 'the loan is gone' }], loanId: null };
      const newRate = r.new_rate ? new Money(r.new_rate) : null;
      const request = { kind: r.kind, instalments: r.instalments, newRate, effectiveOn: r.effective_on, reason: r.reason };
      const invalid = validateRestructuring(request, { status: loan.status, annualRate: new Money(loan.annual_rate), disbursedOn: loan.disbursed_on });
      if (invalid.length) return { userErrors: invalid, loanId: loan.id };
      const [product] = await findProductsByIds(tx, loan.product_id ? [loan.product_id] : []);
      if (!product || !loan.disbursed_on)
        return { userErrors: [{ field: 'restructuringId', code: 'PRODUCT_NOT_FOUND', message: 'the loan has no product' }], loanId: loan.id };
      const current = await lockSchedule(tx, loan.id, loan.schedule_version);
      const result = restructureSchedule(
        current.map((i) => ({
          number: i.number,
          dueDate: i.due_date,
          principal: new Money(i.principal),
          interest: new Money(i.interest),
          principalPaid: new Money(i.principal_paid),
          interestPaid: new Money(i.interest_paid),
          penalty: new Money(i.penalty),
          penaltyPaid: new Money(i.penalty_paid),
          paidOn: i.paid_on,
          fee: new Money(i.fee),
          feePaid: new Money(i.fee_paid),
          feeWaived: new Money(i.fee_waived),
        })),
        request,
        {
          annualRate: new Money(loan.annual_rate),
          frequency: product.frequency,
          method: product.amortisation,
          dayCount: product.day_count,
          disbursedOn: loan.disbursed_on,
          scale: minorUnits(loan.currency) ?? 2,
          firstDueDate: loan.first_due_date,
          ...scheduleConventionsOf(product),
        },
      );
      if (!result.ok) return { userErrors: [{ field: 'restructuringId', code: result.code, message: result.message }], loanId: loan.id };
      const version = loan.schedule_version + 1;
      // Every instalment carrying a payment keeps its number (kept, or moved by a holiday): its allocations are copied.
      const unchanged = new Set(
        result.schedule
          .filter((i) =>
            i.principalPaid
              .plus(i.interestPaid)
              .plus(i.penaltyPaid)
              .plus(i.feePaid ?? 0)
              .gt(0),
          )
          .map((i) => i.number),
      );
      await writeScheduleVersion(
        tx,
        loan.id,
        loan.schedule_version,
        result.schedule.map((i) => ({
          loan_id: loan.id,
          version,
          number: i.number,
          due_date: i.dueDate,
          principal: moneyString(i.principal, amountScale(loan.currency)),
          interest: moneyString(i.interest, amountScale(loan.currency)),
          principal_paid: moneyString(i.principalPaid, amountScale(loan.currency)),
          interest_paid: moneyString(i.interestPaid, amountScale(loan.currency)),
          penalty: moneyString(i.penalty, amountScale(loan.currency)),
          penalty_paid: moneyString(i.penaltyPaid, amountScale(loan.currency)),
          // a fresh instalment carries the product's per-instalment fee
          fee: moneyString(i.fee ?? product.instalment_fee ?? 0, amountScale(loan.currency)),
          fee_paid: moneyString(i.feePaid ?? 0, amountScale(loan.currency)),
          fee_waived: moneyString(i.feeWaived ?? 0, amountScale(loan.currency)),
          paid_on: i.paidOn,
        })),
        [...unchanged],
      );
      await updateLoan(tx, loan.id, {
        schedule_version: version,
        term_count: result.schedule.length,
        ...(newRate ? { annual_rate: newRate.toFixed(6) } : {}),
      });
      // DAILY_ACCRUAL: the new version's interest restated to what accrues in each window (domain/accrual.ts)
      if (accrualTermsOf(loan, product)) await restateDailyInterest(tx, { loanId: loan.id });
      await decideRestructuringRow(tx, r.id, {
        status: 'APPROVED',
        decided_by: actorId,
        decided_at: now,
        from_version: loan.schedule_version,
        to_version: version,
      });
      await emit(tx, 'LoanRestructured', {
        subject: loan.customer_id,
        data: { loanId: loan.id, customerId: loan.customer_id, restructuringId: r.id, kind: r.kind, scheduleVersion: version, effectiveOn: r.effective_on },
      });
      audit.changes(
        { status: r.status, decidedBy: null, scheduleVersion: loan.schedule_version },
        { status: 'APPROVED', decidedBy: actorId, scheduleVersion: version },
      );
      audit.detail({ loanId: loan.id, kind: r.kind });
      return { userErrors: [], loanId: loan.id };
    },
  );
}
