import { emit, writeToOutbox } from '@crm/events';
import { runCommand, type UserError } from '@crm/service-kit';
import type { CreditContext } from '../context.ts';
import { restateDailyInterest } from '../db/accrual.store.ts';
import { findPenaltyWaiverWindows } from '../db/crisis.store.ts';
import { lockLoan, lockSchedule, updateLoan } from '../db/loan.store.ts';
import { findProductsByIds } from '../db/product.store.ts';
import {
  findAllocations,
  findRepaymentById,
  findStandingRepayments,
  markRepaymentReversed,
  type Reallocation,
  writeReallocation,
} from '../db/repayment.store.ts';
import { assertLoanInScope } from '../db/scope.ts';
import { amountScale, Money, type MoneyValue, moneyString } from '../domain/money.ts';
import { payoffTerms } from '../domain/payoff.ts';
import { settledWithoutPayment } from '../domain/repayments.ts';
import { accrualTermsOf, principalRepaid } from './daily-accrual.ts';
import { reevaluate } from './reevaluate-delinquency.ts';
import { type ReplayInstalment, replayRepayments } from './replay-repayments.ts';

export interface ReverseRepaymentCommand {
  repaymentId: string;
  reason: string;
}

export interface ReverseRepaymentOutcome {
  userErrors: UserError[];
  loanId: string | null;
}

const sum = <T>(rows: readonly T[], f: (r: T) => MoneyValue) => rows.reduce((s, r) => s.plus(f(r)), new Money(0));

/**
 * Reverses a repayment (a bounced cheque, a payment booked on the wrong loan): the repayment is
 * marked reversed and every repayment of the loan still standing is allocated again from scratch,
 * in value-date order, with the same domain allocation a booking uses, over the schedule as it
 * was before any of them (scheduled interest restored where an overpayment had waived it). Paid
 * dates, instalments owing nothing, a closed loan's status (ACTIVE again when something is owed)
 * and the delinquency figures as of the latest end-of-day run follow, with the same set-wise SQL
 * as the run (bucket and class changes are published against what was last published). Emits
 * RepaymentReversed. Refused: a blank reason, a repayment already reversed, a repayment booked
 * before a restructuring of the loan. Outside the caller's scope: FORBIDDEN, nothing changes.
 */
export async function reverseRepayment(ctx: CreditContext, cmd: ReverseRepaymentCommand): Promise<ReverseRepaymentOutcome> {
  const actorId = ctx.identity?.userId ?? 'unknown';
  const reason = cmd.reason.trim();
  const known = await findRepaymentById(ctx.db, cmd.repaymentId);
  if (known) await assertLoanInScope(ctx.db, ctx.scope, known.loan_id);
  return runCommand(
    ctx,
    { action: 'reverseRepayment', entityType: 'Repayment', entityId: cmd.repaymentId },
    async (tx, audit): Promise<ReverseRepaymentOutcome> => {
      const notFound = { userErrors: [{ field: 'repaymentId', code: 'REPAYMENT_NOT_FOUND', message: `No repayment ${cmd.repaymentId}` }], loanId: null };
      if (!known) return notFound;
      const loan = await lockLoan(tx, ctx.scope, known.loan_id);
      // read again under the loan's lock: reversals and bookings of the loan serialise on it
      const repayment = await findRepaymentById(tx, cmd.repaymentId);
      if (!loan || !repayment) return notFound;
      const problems: UserError[] = [];
      if (!reason) problems.push({ field: 'reason', code: 'REQUIRED', message: 'must not be blank' });
      if (repayment.reversed_at) problems.push({ field: 'repaymentId', code: 'REPAYMENT_ALREADY_REVERSED', message: 'the repayment was already reversed' });
      else if (loan.status !== 'ACTIVE' && loan.status !== 'CLOSED')
        problems.push({ field: 'repaymentId', code: 'LOAN_NOT_ACTIVE', message: `cannot reverse a repayment of a loan that is ${loan.status}` });
      const version = loan.schedule_version;
      const allocations = await findAllocations(tx, loan.id, version);
      const ownLines = allocations.filter((a) => a.repayment_id === repayment.id);
      if (!repayment.reversed_at && !ownLines.length)
        problems.push({
          field: 'repaymentId',
          code: 'REPAYMENT_BEFORE_RESTRUCTURING',
          message: 'the repayment was booked on a schedule the loan has since restructured',
        });
      // A prepayment re-amortised the schedule into a new version: it and the repayments valued before it stand.
      const rescheduling = (await findStandingRepayments(tx, loan.id)).filter(
        (r) => r.rescheduled_version !== null && (r.id === repayment.id || r.paid_on >= repayment.paid_on),
      );
      if (!repayment.reversed_at && !problems.length && rescheduling.length)
        problems.push({
          field: 'repaymentId',
          code: 'REPAYMENT_BEFORE_RESCHEDULING',
          message: `a prepayment of ${rescheduling[0]?.paid_on} re-amortised the schedule after this repayment; it cannot be reversed`,
        });
      if (problems.length) return { userErrors: problems, loanId: loan.id };

      const scale = amountScale(loan.currency);
      const schedule = await lockSchedule(tx, loan.id, version);
      const [product] = await findProductsByIds(tx, loan.product_id ? [loan.product_id] : []);
      // The schedule before any repayment of this version: paid figures less what its allocations
      // added (what stays is carried over from an earlier version by a restructuring), interest as scheduled.
      const onVersion = (n: number, part: 'penalty' | 'interest' | 'principal' | 'fee') =>
        sum(
          allocations.filter((a) => a.number === n),
          (a) => new Money(a[part]),
        );
      const replay: ReplayInstalment[] = schedule.map((i) => {
        const principalPaid = new Money(i.principal_paid).minus(onVersion(i.number, 'principal'));
        const interestPaid = new Money(i.interest_paid).minus(onVersion(i.number, 'interest'));
        const penaltyPaid = new Money(i.penalty_paid).minus(onVersion(i.number, 'penalty'));
        const feePaid = new Money(i.fee_paid).minus(onVersion(i.number, 'fee'));
        const carried = principalPaid.plus(interestPaid).plus(penaltyPaid).plus(feePaid).gt(0);
        return {
          number: i.number,
          dueDate: i.due_date,
          principal: new Money(i.principal),
          interest: new Money(i.interest).plus(i.interest_waived),
          penalty: new Money(i.penalty),
          principalPaid,
          interestPaid,
          penaltyPaid,
          waived: new Money(0),
          // the fee as scheduled (a settlement's waiver undone)
          fee: new Money(i.fee).plus(i.fee_waived),
          feePaid,
          feeWaived: new Money(0),
          // paid in full before this version's repayments (a restructuring keeps those as they were)
          paidOn:
            carried && !onVersion(i.number, 'principal').gt(0) && !onVersion(i.number, 'interest').gt(0) && !onVersion(i.number, 'fee').gt(0)
              ? i.paid_on
              : null,
          settledBy: null,
        };
      });
      const onThisVersion = new Set(allocations.map((a) => a.repayment_id));
      const standing = (await findStandingRepayments(tx, loan.id)).filter((r) => r.id !== repayment.id && onThisVersion.has(r.id));
      // DAILY_ACCRUAL: interest accrues on the principal repaid by the repayments of earlier versions and those replayed so far
      const daily = accrualTermsOf(loan, product);
      const fixed = daily ? principalRepaid((await findStandingRepayments(tx, loan.id)).filter((r) => r.id !== repayment.id && !onThisVersion.has(r.id))) : [];
      // The same replay as a back-dated booking: each standing repayment against the loan as it stood on its
      // value date (penalties as of then, or as of the latest run when valued after it).
      const outcome = replayRepayments(
        replay,
        standing.map((r) => ({ id: r.id, amount: new Money(r.amount), paidOn: r.paid_on, reference: r.external_reference })),
        {
          loan,
          product,
          version,
          fixed,
          waivers: await findPenaltyWaiverWindows(tx, loan.id),
          payoff: (paidOn) =>
            payoffTerms(schedule, loan.disbursed_on ?? paidOn, product?.day_count ?? 'THIRTY_360', loan.currency, product?.rounding_mode, daily !== null),
        },
      );
      if (!outcome.ok)
        return {
          userErrors: [
            {
              field: 'repaymentId',
              code: 'REALLOCATION_FAILED',
              message: `without it, repayment ${outcome.at.reference} of ${outcome.at.paidOn} could not be allocated: ${outcome.reamortises ? 'it would now prepay principal, which a reversal cannot re-amortise' : outcome.message}`,
            },
          ],
          loanId: loan.id,
        };
      const realloc: Reallocation = {
        loanId: loan.id,
        version,
        allocations: outcome.lines,
        instalments: [],
        repayments: outcome.allocated.map(({ repayment: r, value: a }) => ({
          id: r.id,
          penaltyPaid: moneyString(a.penalty, scale),
          interestPaid: moneyString(a.interest, scale),
          principalPaid: moneyString(a.principal, scale),
          prepaidPrincipal: moneyString(a.prepaid, scale),
          feePaid: moneyString(a.fee, scale),
        })),
      };
      // Instalments owing nothing count as paid (on their due date, or the last payment's when earlier):
      // those due by the last standing payment, all of them when nothing else is owed.
      const lastPaidOn = standing.at(-1)?.paid_on ?? null;
      const asRows = replay.map((i) => ({
        number: i.number,
        due_date: i.dueDate,
        paid_on: i.paidOn,
        principal: i.principal.toFixed(),
        interest: i.interest.toFixed(),
        penalty: i.penalty.toFixed(),
        principal_paid: i.principalPaid.toFixed(),
        interest_paid: i.interestPaid.toFixed(),
        penalty_paid: i.penaltyPaid.toFixed(),
        fee: i.fee.toFixed(),
        fee_paid: i.feePaid.toFixed(),
      }));
      const quiet = settledWithoutPayment(asRows, lastPaidOn ?? '9999-12-31');
      const repaid = replay.every((i) => i.paidOn !== null || quiet.some((q) => q.number === i.number));
      for (const q of quiet) {
        const i = replay.find((x) => x.number === q.number);
        if (i && (repaid || (lastPaidOn !== null && i.dueDate <= lastPaidOn))) i.paidOn = q.paidOn;
      }
      realloc.instalments = replay.map((i) => ({
        number: i.number,
        principalPaid: moneyString(i.principalPaid, scale),
        interestPaid: moneyString(i.interestPaid, scale),
        penaltyPaid: moneyString(i.penaltyPaid, scale),
        interest: moneyString(i.interest, scale),
        interestWaived: moneyString(i.waived, scale),
        fee: moneyString(i.fee, scale),
        feePaid: moneyString(i.feePaid, scale),
        feeWaived: moneyString(i.feeWaived, scale),
        paidOn: i.paidOn,
      }));
      const now = ctx.now();
      await writeReallocation(tx, realloc);
      await markRepaymentReversed(tx, repayment.id, actorId, now, reason);
      if (daily) await restateDailyInterest(tx, { loanId: loan.id });

      const reopened = loan.status === 'CLOSED' && !repaid;
      if (reopened) await updateLoan(tx, loan.id, { status: 'ACTIVE', closed_on: null });
      const delinquency = reopened || loan.status === 'ACTIVE' ? await reevaluate(tx, loan.id, now) : { asOf: null, events: [] };

      const unpaidAgain = schedule.filter((i) => i.paid_on !== null && replay.find((x) => x.number === i.number)?.paidOn === null).map((i) => i.number);
      const less = (part: 'principal_paid' | 'interest_paid' | 'penalty_paid' | 'fee_paid', now: (i: ReplayInstalment) => MoneyValue) =>
        moneyString(sum(schedule, (i) => new Money(i[part])).minus(sum(replay, now)), scale);
      await emit(tx, 'RepaymentReversed', {
        subject: loan.customer_id,
        data: {
          loanId: loan.id,
          customerId: loan.customer_id,
          repaymentId: repayment.id,
          amount: moneyString(repayment.amount, scale),
          currency: loan.currency,
          instalmentNumbers: unpaidAgain,
          reversedAt: now.toISOString(),
          paidOn: repayment.paid_on,
          reason,
          principalUnpaid: less('principal_paid', (i) => i.principalPaid),
          interestUnpaid: less('interest_paid', (i) => i.interestPaid),
          penaltyUnpaid: less('penalty_paid', (i) => i.penaltyPaid),
          feeUnpaid: less('fee_paid', (i) => i.feePaid),
          loanReopened: reopened,
        },
      });
      await writeToOutbox(tx, delinquency.events);
      audit.changes(
        { reversedAt: null, reversedBy: null, loanStatus: loan.status, closedOn: loan.closed_on },
        { reversedAt: now.toISOString(), reversedBy: actorId, loanStatus: reopened ? 'ACTIVE' : loan.status, closedOn: reopened ? null : loan.closed_on },
      );
      audit.detail({
        loanId: loan.id,
        amount: moneyString(repayment.amount, scale),
        currency: loan.currency,
        paidOn: repayment.paid_on,
        reason,
        instalmentsUnpaidAgain: unpaidAgain,
        repaymentsReallocated: standing.length,
        delinquencyAsOf: delinquency.asOf,
      });
      return { userErrors: [], loanId: loan.id };
    },
  );
}
