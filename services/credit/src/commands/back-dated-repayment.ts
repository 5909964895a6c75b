import { emit } from '@crm/events';
import type { UserError } from '@crm/service-kit';
import type { Kysely } from 'kysely';
import { restateDailyInterest } from '../db/accrual.store.ts';
import { findPenaltyWaiverWindows } from '../db/crisis.store.ts';
import { settlePenaltiesAsPaid, updateLoan } from '../db/loan.store.ts';
import { findStandingRepayments, insertRepayment, type Reallocation, writeReallocation } from '../db/repayment.store.ts';
import type { DB, InstalmentRow, LoanProductRow, LoanRow, RepaymentRow } from '../db/schema.ts';
import { amountScale, Money, type MoneyValue, moneyString } from '../domain/money.ts';
import { payoffTerms } from '../domain/payoff.ts';
import { daysLate } from '../domain/repayments.ts';
import { accrualTermsOf, principalRepaid } from './daily-accrual.ts';
import { type ReplayedRepayment, type ReplayInstalment, replayRepayments } from './replay-repayments.ts';

const sum = <T>(rows: readonly T[], f: (r: T) => MoneyValue) => rows.reduce((s, r) => s.plus(f(r)), new Money(0));

/**
 * Books a repayment valued before the latest end-of-day run while repayments of the loan valued
 * after it stand: it and those later repayments are allocated again, in value-date order, over the
 * schedule without the later ones, each against the loan as it stood on its own value date
 * (`replayRepayments`, the rule a reversal uses too). The repayments valued on or before it keep their allocation. Writes the
 * repayment, the allocation lines of the repayments replayed, the instalments' paid figures, emits
 * InstalmentPaid for instalments the replay settles that were unpaid, and LoanClosed when nothing is
 * owed. The caller re-evaluates the delinquency as of the latest run.
 */
export async function bookBeforeLaterRepayments(
  tx: Kysely<DB>,
  a: {
    loan: LoanRow;
    product: LoanProductRow;
    schedule: InstalmentRow[];
    version: number;
    later: RepaymentRow[];
    laterAllocations: { repayment_id: string; number: number; penalty: string; interest: string; principal: string; fee: string }[];
    repayment: { id: string; amount: MoneyValue; paidOn: string; channel: string; reference: string; recordedBy: string; recordedAt: Date };
  },
): Promise<
  | { ok: false; error: UserError }
  | { ok: true; penalty: MoneyValue; fee: MoneyValue; interest: MoneyValue; principal: MoneyValue; settled: number[]; closed: boolean }
> {
  const { loan, product, schedule, version } = a;
  const scale = amountScale(loan.currency);
  const of = (n: number, part: 'penalty' | 'interest' | 'principal' | 'fee') =>
    sum(
      a.laterAllocations.filter((l) => l.number === n),
      (l) => new Money(l[part]),
    );
  const replay: ReplayInstalment[] = schedule.map((i) => {
    const touched = a.laterAllocations.some((l) => l.number === i.number);
    return {
      number: i.number,
      dueDate: i.due_date,
      principal: new Money(i.principal),
      interest: new Money(i.interest),
      penalty: new Money(i.penalty),
      principalPaid: new Money(i.principal_paid).minus(of(i.number, 'principal')),
      interestPaid: new Money(i.interest_paid).minus(of(i.number, 'interest')),
      penaltyPaid: new Money(i.penalty_paid).minus(of(i.number, 'penalty')),
      fee: new Money(i.fee),
      feePaid: new Money(i.fee_paid).minus(of(i.number, 'fee')),
      feeWaived: new Money(i.fee_waived),
      waived: new Money(i.interest_waived),
      // an instalment a later repayment reached was open when it was allocated
      paidOn: touched ? null : i.paid_on,
      settledBy: null,
    };
  });
  const sequence: ReplayedRepayment[] = [
    { id: a.repayment.id, amount: a.repayment.amount, paidOn: a.repayment.paidOn, reference: a.repayment.reference },
    ...a.later.map((r) => ({ id: r.id, amount: new Money(r.amount), paidOn: r.paid_on, reference: r.external_reference })),
  ];
  // DAILY_ACCRUAL: interest accrues on the principal the repayments valued before each one repaid (those
  // not replayed, and those replayed so far, with what the replay gives them)
  const daily = accrualTermsOf(loan, product);
  const replayedIds = new Set(a.later.map((r) => r.id));
  const fixed = daily ? principalRepaid((await findStandingRepayments(tx, loan.id)).filter((r) => !replayedIds.has(r.id))) : [];
  const outcome = replayRepayments(replay, sequence, {
    loan,
    product,
    version,
    fixed,
    waivers: await findPenaltyWaiverWindows(tx, loan.id),
    payoff: (paidOn) => payoffTerms(schedule, loan.disbursed_on ?? paidOn, product.day_count, loan.currency, product.rounding_mode, daily !== null),
  });
  if (!outcome.ok) {
    const isNew = outcome.at.id === a.repayment.id;
    if (isNew && !outcome.reamortises) return { ok: false, error: { field: 'amount', code: outcome.code, message: outcome.message } };
    const refused = outcome.reamortises ? 'it would prepay principal ahead of a later repayment, which cannot re-amortise the schedule' : outcome.message;
    return {
      ok: false,
      error: {
        field: 'paidOn',
        code: 'BACK_DATED_REALLOCATION_FAILED',
        message: isNew
          ? `valued before later repayments of the loan, ${refused}`
          : `valued before it, repayment ${outcome.at.reference} of ${outcome.at.paidOn} could no longer be allocated: ${refused}`,
      },
    };
  }
  const realloc: Reallocation = { loanId: loan.id, version, allocations: outcome.lines, instalments: [], repayments: [], replaced: a.later.map((r) => r.id) };
  const totals = { penalty: new Money(0), fee: new Money(0), interest: new Money(0), principal: new Money(0) };
  for (const { repayment: r, value: v } of outcome.allocated) {
    if (r.id === a.repayment.id) {
      totals.penalty = v.penalty;
      totals.fee = v.fee;
      totals.interest = v.interest;
      totals.principal = v.principal;
    } else
      realloc.repayments.push({
        id: r.id,
        penaltyPaid: moneyString(v.penalty, scale),
        interestPaid: moneyString(v.interest, scale),
        principalPaid: moneyString(v.principal, scale),
        prepaidPrincipal: moneyString(v.prepaid, scale),
        feePaid: moneyString(v.fee, scale),
      });
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
  await insertRepayment(tx, {
    id: a.repayment.id,
    loan_id: loan.id,
    amount: moneyString(a.repayment.amount, scale),
    currency: loan.currency,
    paid_on: a.repayment.paidOn,
    channel: a.repayment.channel,
    external_reference: a.repayment.reference,
    penalty_paid: moneyString(totals.penalty, scale),
    interest_paid: moneyString(totals.interest, scale),
    principal_paid: moneyString(totals.principal, scale),
    prepaid_principal: moneyString(0, scale),
    fee_paid: moneyString(totals.fee, scale),
    rescheduled_version: null,
    recorded_by: a.repayment.recordedBy,
    recorded_at: a.repayment.recordedAt,
  });
  await writeReallocation(tx, realloc);
  if (daily) await restateDailyInterest(tx, { loanId: loan.id });
  // Instalments unpaid before this booking and settled now; one settled before (by a later repayment)
  // stays announced as it was.
  const settledNow = replay.filter((i) => i.settledBy !== null && schedule.find((s) => s.number === i.number)?.paid_on === null);
  for (const i of settledNow) {
    const late = daysLate(i.dueDate, i.paidOn ?? a.repayment.paidOn);
    await emit(tx, 'InstalmentPaid', {
      subject: loan.customer_id,
      data: {
        loanId: loan.id,
        customerId: loan.customer_id,
        instalmentNumber: i.number,
        dueDate: i.dueDate,
        paidOn: i.paidOn ?? a.repayment.paidOn,
        amountPaid: moneyString(i.penaltyPaid.plus(i.feePaid).plus(i.interestPaid).plus(i.principalPaid), scale),
        currency: loan.currency,
        onTime: late === 0,
        daysLate: late,
        repaymentId: i.settledBy ?? a.repayment.id,
        interestPaid: moneyString(i.interestPaid, scale),
        penaltyPaid: moneyString(i.penaltyPaid, scale),
        feePaid: moneyString(i.feePaid, scale),
      },
    });
  }
  const closed = replay.every((i) => i.paidOn !== null);
  if (closed) {
    await settlePenaltiesAsPaid(tx, loan.id, version);
    const closedOn =
      sequence
        .map((r) => r.paidOn)
        .sort()
        .at(-1) ?? a.repayment.paidOn;
    await updateLoan(tx, loan.id, { status: 'CLOSED', closed_on: closedOn });
    await emit(tx, 'LoanClosed', {
      subject: loan.customer_id,
      data: {
        loanId: loan.id,
        customerId: loan.customer_id,
        closedOn,
        principal: loan.principal,
        currency: loan.currency,
        repaidOnTimeInFull: replay.every((i) => (i.paidOn ?? closedOn) <= i.dueDate),
      },
    });
  }
  return { ok: true, ...totals, settled: settledNow.map((i) => i.number), closed };
}
