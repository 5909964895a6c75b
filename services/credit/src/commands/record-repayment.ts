import { emit, writeToOutbox } from '@crm/events';
import { runCommand, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { RecordRepaymentInput } from '../__generated__/resolvers-types.ts';
import type { CreditContext } from '../context.ts';
import { restateDailyInterest } from '../db/accrual.store.ts';
import { findBusinessDate } from '../db/business-date.store.ts';
import { findPenaltyWaiverWindows } from '../db/crisis.store.ts';
import { findLoanInScope, lockLoan, lockSchedule, markInstalmentsPaid, settlePenaltiesAsPaid, updateLoan } from '../db/loan.store.ts';
import { findProductsByIds, penaltyTermsOf } from '../db/product.store.ts';
import { applyAllocation, findAllocations, findRepaymentByReference, findStandingRepayments, insertRepayment } from '../db/repayment.store.ts';
import { writeScheduleVersion } from '../db/restructuring.store.ts';
import { assertLoanInScope } from '../db/scope.ts';
import { instalmentPaidTotals } from '../domain/allocation.ts';
import { amountScale, Money, minorUnits, moneyString } from '../domain/money.ts';
import { allocatePayment, payoffTerms } from '../domain/payoff.ts';
import { reamortisationOf, reamortise } from '../domain/prepayment.ts';
import { daysLate, settledWithoutPayment, validateRepayment } from '../domain/repayments.ts';
import { defaultDayCount } from '../domain/schedule.ts';
import { bookBeforeLaterRepayments } from './back-dated-repayment.ts';
import { accrualInstalmentsOf, accrualTermsOf, openInstalmentOf, principalRepaid, withInterestAccruedBy } from './daily-accrual.ts';
import { reevaluate } from './reevaluate-delinquency.ts';
import { openAsOf } from './replay-repayments.ts';

export interface RepaymentOutcome {
  userErrors: UserError[];
  /** The repayment booked, or the first booking of the same reference. */
  repaymentId: string | null;
  /** True when the reference was booked before (nothing new was written). */
  duplicate: boolean;
}

/**
 * Books a repayment: allocated penalty, interest, principal, oldest instalment first; the same
 * external reference twice books once. A loan outside the caller's scope is FORBIDDEN.
 */
export async function recordRepayment(ctx: CreditContext, input: RecordRepaymentInput): Promise<RepaymentOutcome> {
  const actorId = ctx.identity?.userId ?? 'unknown';
  await assertLoanInScope(ctx.db, ctx.scope, input.loanId);
  // The value date defaults to the business date, and may not be after it.
  const today = (await findBusinessDate(ctx.db, ctx.now())).date;
  const cmd = { ...input, paidOn: input.paidOn ?? today };
  const reference = cmd.externalReference.trim();
  const firstBooking = async () => {
    const existing = await findRepaymentByReference(ctx.db, reference);
    if (!existing) return null;
    if (existing.loan_id !== cmd.loanId) {
      return {
        userErrors: [{ field: 'externalReference', code: 'DUPLICATE_REFERENCE', message: 'already booked on another loan' }],
        repaymentId: null,
        duplicate: true,
      };
    }
    return { userErrors: [], repaymentId: existing.id, duplicate: true };
  };
  const earlier = await firstBooking();
  if (earlier) return earlier;

  const current = await findLoanInScope(ctx.db, ctx.scope, cmd.loanId);
  if (!current) return { userErrors: [{ field: 'loanId', code: 'LOAN_NOT_FOUND', message: `No loan ${cmd.loanId}` }], repaymentId: null, duplicate: false };
  const invalid = validateRepayment(cmd, { status: current.status, currency: current.currency, disbursedOn: current.disbursed_on }, today);
  if (invalid.length) return { userErrors: invalid, repaymentId: null, duplicate: false };

  const id = uuidv7();
  return runCommand(
    ctx,
    { action: 'recordRepayment', entityType: 'Repayment', entityId: id },
    async (tx, audit): Promise<{ userErrors: UserError[]; repaymentId: string | null; duplicate: boolean }> => {
      const loan = await lockLoan(tx, ctx.scope, cmd.loanId);
      if (!loan) return { userErrors: [{ field: 'loanId', code: 'LOAN_NOT_FOUND', message: `No loan ${cmd.loanId}` }], repaymentId: null, duplicate: false };
      if (await findRepaymentByReference(tx, reference)) return { userErrors: [], repaymentId: null, duplicate: true };
      const again = validateRepayment(cmd, { status: loan.status, currency: loan.currency, disbursedOn: loan.disbursed_on }, today);
      if (again.length) return { userErrors: again, repaymentId: null, duplicate: false };
      const [product] = await findProductsByIds(tx, loan.product_id ? [loan.product_id] : []);
      let schedule = await lockSchedule(tx, loan.id, loan.schedule_version);
      let version = loan.schedule_version;
      const policy = product?.overpayment_policy ?? 'REFUSE';
      // DAILY_ACCRUAL: the open instalments owe the interest accrued by the value date on the principal
      // actually outstanding (domain/accrual.ts); the other methods owe their scheduled interest.
      const daily = accrualTermsOf(loan, product);
      let open = withInterestAccruedBy(
        schedule.filter((i) => i.paid_on === null).map(openInstalmentOf),
        accrualInstalmentsOf(schedule),
        daily ? principalRepaid(await findStandingRepayments(tx, loan.id)) : [],
        daily,
        cmd.paidOn,
      );
      // Valued before the latest end-of-day run: allocated against the loan as it stood on its value date
      // (penalty as of that date), later repayments allocated again after it, delinquency re-evaluated.
      // the loan's latest run (the penalties on its instalments are that run's)
      const latestRun = loan.delinquency_as_of;
      const backDated = latestRun !== null && cmd.paidOn < latestRun && product !== undefined;
      if (backDated && product) {
        const onVersion = await findAllocations(tx, loan.id, version);
        const later = (await findStandingRepayments(tx, loan.id)).filter((r) => r.paid_on > cmd.paidOn && onVersion.some((l) => l.repayment_id === r.id));
        const rescheduling = later.find((r) => r.rescheduled_version !== null);
        if (rescheduling)
          return {
            userErrors: [
              {
                field: 'paidOn',
                code: 'BACK_DATED_REALLOCATION_FAILED',
                message: `a prepayment of ${rescheduling.paid_on} re-amortised the schedule after this value date; it cannot be allocated again`,
              },
            ],
            repaymentId: null,
            duplicate: false,
          };
        if (later.length) {
          const booked = await bookBeforeLaterRepayments(tx, {
            loan,
            product,
            schedule,
            version,
            later,
            laterAllocations: onVersion.filter((l) => later.some((r) => r.id === l.repayment_id)),
            repayment: {
              id,
              amount: new Money(cmd.amount),
              paidOn: cmd.paidOn,
              channel: cmd.channel.trim(),
              reference,
              recordedBy: actorId,
              recordedAt: ctx.now(),
            },
          });
          if (!booked.ok) return { userErrors: [booked.error], repaymentId: null, duplicate: false };
          await emitRepaymentRecorded(tx, loan, id, cmd, { ...booked, prepaid: new Money(0) }, { settlement: false, backDated: true });
          const delinquency = booked.closed ? { asOf: null, events: [] } : await reevaluate(tx, loan.id, ctx.now());
          await writeToOutbox(tx, delinquency.events);
          audit.changes(null, {
            loanId: loan.id,
            amount: moneyString(cmd.amount, amountScale(loan.currency)),
            paidOn: cmd.paidOn,
            principalPaid: moneyString(booked.principal, amountScale(loan.currency)),
            interestPaid: moneyString(booked.interest, amountScale(loan.currency)),
            penaltyPaid: moneyString(booked.penalty, amountScale(loan.currency)),
            feePaid: moneyString(booked.fee, amountScale(loan.currency)),
            prepaidPrincipal: moneyString(0, amountScale(loan.currency)),
            settlement: false,
            scheduleVersion: version,
          });
          audit.detail({ backDatedBefore: latestRun, reallocated: later.map((r) => r.id), delinquencyAsOf: delinquency.asOf });
          return { userErrors: [], repaymentId: id, duplicate: false };
        }
        open = openAsOf(open, cmd.paidOn, penaltyTermsOf(product, loan.currency, await findPenaltyWaiverWindows(tx, loan.id)));
      }
      // Exactly the payoff quote of the payment date settles the loan; an overpayment re-amortises the rest.
      const allocation = allocatePayment(
        open,
        new Money(cmd.amount),
        cmd.paidOn,
        policy,
        payoffTerms(schedule, loan.disbursed_on ?? cmd.paidOn, product?.day_count ?? 'THIRTY_360', loan.currency, product?.rounding_mode, daily !== null),
      );
      if (!allocation.ok) return { userErrors: [{ field: 'amount', code: allocation.code, message: allocation.message }], repaymentId: null, duplicate: false };
      const a = allocation.value;
      // A booking that settles the loan is valued on or after every standing repayment: settled on an earlier
      // date, the loan would have left the later repayments nothing to pay (no payoff is quoted then either).
      const settles = allocation.settlement === true || open.every((i) => a.lines.some((l) => l.number === i.number && l.settles));
      const laterOne = settles ? (await findStandingRepayments(tx, loan.id)).filter((r) => r.paid_on > cmd.paidOn).at(-1) : undefined;
      if (laterOne)
        return {
          userErrors: [
            {
              field: 'paidOn',
              code: 'BACK_DATED_REALLOCATION_FAILED',
              message: `it would settle the loan on ${cmd.paidOn}, before repayment ${laterOne.external_reference} of ${laterOne.paid_on}; a loan is settled on or after its latest repayment's value date`,
            },
          ],
          repaymentId: null,
          duplicate: false,
        };
      const reamortisation = a.prepaidOn !== null && product && !allocation.settlement ? reamortisationOf(policy) : null;
      await insertRepayment(tx, {
        id,
        loan_id: loan.id,
        amount: moneyString(cmd.amount, amountScale(loan.currency)),
        currency: loan.currency,
        paid_on: cmd.paidOn,
        channel: cmd.channel.trim(),
        external_reference: reference,
        penalty_paid: moneyString(a.penalty, amountScale(loan.currency)),
        interest_paid: moneyString(a.interest, amountScale(loan.currency)),
        principal_paid: moneyString(a.principal, amountScale(loan.currency)),
        prepaid_principal: moneyString(a.prepaid, amountScale(loan.currency)),
        fee_paid: moneyString(a.fee, amountScale(loan.currency)),
        rescheduled_version: reamortisation ? version + 1 : null,
        recorded_by: actorId,
        recorded_at: ctx.now(),
      });
      if (reamortisation && product && a.prepaidOn !== null) {
        // A new schedule version: instalments up to the one the prepayment is booked on as they are
        // (that one's principal grows by the prepayment), the rest re-amortised on what is outstanding.
        const m = a.prepaidOn;
        const at = schedule.find((i) => i.number === m);
        const after = schedule.filter((i) => i.number > m);
        const next = after[0];
        const scale = minorUnits(loan.currency) ?? 2;
        const written = amountScale(loan.currency);
        const fresh = reamortise({
          balance: after.reduce((s, i) => s.plus(i.principal).minus(i.principal_paid), new Money(0)).minus(a.prepaid),
          annualRate: new Money(loan.annual_rate),
          frequency: product.frequency,
          method: product.amortisation,
          dayCount: product.day_count ?? defaultDayCount(product.frequency),
          scale,
          from: at?.due_date ?? cmd.paidOn,
          dueDates: after.map((i) => i.due_date),
          mode: reamortisation,
          interestMethod: product.interest_method,
          rounding: product.rounding_mode,
          keep: {
            total: next ? new Money(next.principal).plus(next.interest).plus(next.interest_waived) : new Money(0),
            principal: new Money(next?.principal ?? 0),
          },
        });
        const kept = schedule.filter((i) => i.number <= m);
        await writeScheduleVersion(
          tx,
          loan.id,
          version,
          [
            ...kept.map((i) => ({
              loan_id: loan.id,
              version: version + 1,
              number: i.number,
              due_date: i.due_date,
              principal: i.number === m ? moneyString(new Money(i.principal).plus(a.prepaid), written) : i.principal,
              interest: i.interest,
              principal_paid: i.principal_paid,
              interest_paid: i.interest_paid,
              penalty: i.penalty,
              penalty_paid: i.penalty_paid,
              interest_waived: i.interest_waived,
              fee: i.fee,
              fee_paid: i.fee_paid,
              fee_waived: i.fee_waived,
              scheduled_interest: i.scheduled_interest,
              paid_on: i.paid_on,
              dpd: i.dpd,
            })),
            ...fresh.map((p) => ({
              loan_id: loan.id,
              version: version + 1,
              number: m + p.number,
              due_date: p.dueDate,
              principal: moneyString(p.principal, written),
              interest: moneyString(p.interest, written),
              // zeros at the currency's scale ("0.000" KWD), not the columns' SQL default 0.00
              principal_paid: moneyString(0, written),
              interest_paid: moneyString(0, written),
              penalty: moneyString(0, written),
              penalty_paid: moneyString(0, written),
              interest_waived: moneyString(0, written),
              // the product's per-instalment fee on every re-amortised instalment
              fee: moneyString(product.instalment_fee ?? 0, written),
              fee_paid: moneyString(0, written),
              fee_waived: moneyString(0, written),
              scheduled_interest: moneyString(p.interest, written),
            })),
          ],
          kept.map((i) => i.number),
        );
        version += 1;
        await updateLoan(tx, loan.id, { schedule_version: version, term_count: kept.length + fresh.length });
        schedule = await lockSchedule(tx, loan.id, version);
      }
      await applyAllocation(
        tx,
        { id, loanId: loan.id, version, paidOn: cmd.paidOn },
        a.lines.map((l) => ({
          number: l.number,
          penalty: moneyString(l.penalty, amountScale(loan.currency)),
          interest: moneyString(l.interest, amountScale(loan.currency)),
          principal: moneyString(l.principal, amountScale(loan.currency)),
          interestWaived: moneyString(l.interestWaived, amountScale(loan.currency)),
          fee: moneyString(l.fee, amountScale(loan.currency)),
          feeWaived: moneyString(l.feeWaived, amountScale(loan.currency)),
          paidOn: l.settles ? cmd.paidOn : null,
        })),
      );
      // DAILY_ACCRUAL: the stored interest restated to the rule (what settled instalments were charged, what accrues in the others' windows)
      if (daily) await restateDailyInterest(tx, { loanId: loan.id });
      const restated = daily ? await lockSchedule(tx, loan.id, version) : null;
      await emitRepaymentRecorded(tx, loan, id, cmd, a, { settlement: allocation.settlement === true, backDated });
      for (const l of a.lines.filter((x) => x.settles)) {
        const i = open.find((x) => x.number === l.number);
        if (!i) continue;
        const late = daysLate(i.dueDate, cmd.paidOn);
        // Cumulative per instalment: what earlier repayments paid on it plus this allocation.
        const paid = instalmentPaidTotals(i, l);
        await emit(tx, 'InstalmentPaid', {
          subject: loan.customer_id,
          data: {
            loanId: loan.id,
            customerId: loan.customer_id,
            instalmentNumber: i.number,
            dueDate: i.dueDate,
            paidOn: cmd.paidOn,
            amountPaid: moneyString(paid.total, amountScale(loan.currency)),
            currency: loan.currency,
            onTime: late === 0,
            daysLate: late,
            repaymentId: id,
            // Exact sums of amounts already in the minor unit, written at the currency's scale as every
            // amount of every credit event (amountScale: "1700.00" XOF, "1.700" KWD)
            interestPaid: moneyString(paid.interest, amountScale(loan.currency)),
            penaltyPaid: moneyString(paid.penalty, amountScale(loan.currency)),
            feePaid: moneyString(paid.fee, amountScale(loan.currency)),
          },
        });
      }
      const settled = new Map(a.lines.filter((l) => l.settles).map((l) => [l.number, cmd.paidOn]));
      // Instalments owing nothing after this payment (0.00 ones) count as paid on their due date.
      const allocated = new Map(
        a.lines.map((l) => [l.number, l.penalty.plus(l.fee).plus(l.interest).plus(l.principal).plus(l.interestWaived).plus(l.feeWaived)]),
      );
      const quiet = settledWithoutPayment(
        (restated ?? schedule).filter((i) => !settled.has(i.number)),
        cmd.paidOn,
        // the rows read again after a restatement already carry this allocation
        (n) => (restated ? 0 : (allocated.get(n) ?? 0)),
      );
      const repaid = schedule.every((i) => i.paid_on !== null || settled.has(i.number) || quiet.some((q) => q.number === i.number));
      // Marked now when due by the payment date, all of them when the loan closes.
      const dueQuiet = repaid ? quiet : quiet.filter((q) => schedule.find((i) => i.number === q.number)?.due_date === q.paidOn);
      await markInstalmentsPaid(tx, loan.id, version, dueQuiet);
      for (const q of dueQuiet) settled.set(q.number, q.paidOn);
      if (repaid) {
        // valued before the latest run: the penalties it settled are those of its value date
        if (backDated) await settlePenaltiesAsPaid(tx, loan.id, version);
        const onTime = schedule.every((i) => (i.paid_on ?? settled.get(i.number) ?? cmd.paidOn) <= i.due_date);
        await updateLoan(tx, loan.id, { status: 'CLOSED', closed_on: cmd.paidOn });
        await emit(tx, 'LoanClosed', {
          subject: loan.customer_id,
          data: {
            loanId: loan.id,
            customerId: loan.customer_id,
            closedOn: cmd.paidOn,
            principal: loan.principal,
            currency: loan.currency,
            repaidOnTimeInFull: onTime,
          },
        });
      }
      if (backDated && !repaid) {
        const delinquency = await reevaluate(tx, loan.id, ctx.now());
        await writeToOutbox(tx, delinquency.events);
        audit.detail({ backDatedBefore: latestRun, delinquencyAsOf: delinquency.asOf });
      }
      audit.changes(null, {
        loanId: loan.id,
        amount: moneyString(cmd.amount, amountScale(loan.currency)),
        paidOn: cmd.paidOn,
        principalPaid: moneyString(a.principal, amountScale(loan.currency)),
        interestPaid: moneyString(a.interest, amountScale(loan.currency)),
        penaltyPaid: moneyString(a.penalty, amountScale(loan.currency)),
        feePaid: moneyString(a.fee, amountScale(loan.currency)),
        prepaidPrincipal: moneyString(a.prepaid, amountScale(loan.currency)),
        settlement: allocation.settlement === true,
        scheduleVersion: version,
      });
      return { userErrors: [], repaymentId: id, duplicate: false };
    },
  );
}

type Amount = Parameters<typeof moneyString>[0];

/** RepaymentRecorded: every booked repayment, partial or not, with what it paid part by part. */
async function emitRepaymentRecorded(
  tx: Parameters<typeof emit>[0],
  loan: { id: string; customer_id: string; currency: string },
  repaymentId: string,
  cmd: { amount: Amount; paidOn: string },
  parts: { principal: Amount; interest: Amount; penalty: Amount; fee: Amount; prepaid: Amount },
  how: { settlement: boolean; backDated: boolean },
): Promise<void> {
  const scale = amountScale(loan.currency);
  await emit(tx, 'RepaymentRecorded', {
    subject: loan.customer_id,
    data: {
      loanId: loan.id,
      customerId: loan.customer_id,
      repaymentId,
      amount: moneyString(cmd.amount, scale),
      currency: loan.currency,
      paidOn: cmd.paidOn,
      principalPaid: moneyString(parts.principal, scale),
      interestPaid: moneyString(parts.interest, scale),
      penaltyPaid: moneyString(parts.penalty, scale),
      feePaid: moneyString(parts.fee, scale),
      prepaidPrincipal: moneyString(parts.prepaid, scale),
      settlement: how.settlement,
      backDated: how.backDated,
    },
  });
}
