import { type Allocation, type AllocationResult, allocateRepayment, type InstalmentAllocation, type OpenInstalment } from './allocation.ts';
import { daysBetween } from './dates.ts';
import { yearFractionOf } from './day-count.ts';
import type { OverpaymentPolicy } from './loans.ts';
import { Money, type MoneyValue, minorUnits, type RoundingMode, roundMoney } from './money.ts';
import type { DayCountConvention } from './schedule.ts';

/** What the payoff rule needs besides the open instalments. */
export interface PayoffTerms {
  dayCount: DayCountConvention;
  /** Where an instalment's interest period starts: the previous instalment's due date, the disbursement for the first. */
  periodStart: (number: number) => string;
  /** Decimals of the currency's minor unit. */
  scale: number;
  /** The product's rounding mode (default HALF_UP). */
  rounding?: RoundingMode;
  /**
   * DAILY_ACCRUAL: the open instalments' interest is already what accrued by the quote's date
   * (`interestAccruedBy` in domain/accrual.ts), the current one's included: it is charged as given,
   * not pro rata of the period.
   */
  accruedGiven?: boolean;
}

/** What settles the loan on a date, itemised; `lines` is the allocation that settles it. */
export interface PayoffQuote {
  asOf: string;
  /** Principal still owed on every instalment. */
  principal: MoneyValue;
  /** Interest of instalments due by `asOf`, unpaid. */
  overdueInterest: MoneyValue;
  /** Interest of the current period accrued to `asOf`, less what was already paid of it. */
  accruedInterest: MoneyValue;
  /** Penalty still owed (accrued by the end-of-day runs). */
  penalty: MoneyValue;
  /** Per-instalment fees of the instalments due by `asOf`, unpaid (those not yet due are waived). */
  fees: MoneyValue;
  /** Scheduled interest no longer charged when the loan is settled on `asOf`. */
  interestWaived: MoneyValue;
  /** Fees of the instalments not yet due, no longer charged. */
  feesWaived: MoneyValue;
  total: MoneyValue;
  lines: InstalmentAllocation[];
}

/** Days from `from` to `to` under 30/360 (US): day 31 counts as 30, every month 30 days. */
export function days360(from: string, to: string): number {
  const [y1 = 0, m1 = 0, a] = from.split('-').map(Number);
  const [y2 = 0, m2 = 0, b] = to.split('-').map(Number);
  const d1 = Math.min(a ?? 0, 30);
  const d2 = (b ?? 0) === 31 && d1 === 30 ? 30 : (b ?? 0);
  return 360 * (y2 - y1) + 30 * (m2 - m1) + (d2 - d1);
}

/**
 * The part of a period's interest accrued by `asOf`: interest * elapsed / period, both measured by
 * the product's day count (THIRTY_360: days by `days360`; ACTUAL_360 and ACTUAL_365: actual
 * days; THIRTY_360_US: `days30360US`; ACTUAL_ACTUAL_ISDA: the ISDA year fractions), rounded to the
 * minor unit by the product's rounding mode; nothing before the period starts, all of it from its
 * due date on.
 */
export function accruedInterest(
  interest: MoneyValue,
  start: string,
  due: string,
  asOf: string,
  dayCount: DayCountConvention,
  scale: number,
  rounding: RoundingMode = 'HALF_UP',
): MoneyValue {
  if (asOf <= start) return new Money(0);
  if (asOf >= due) return new Money(interest);
  if (dayCount === 'THIRTY_360' || dayCount === 'ACTUAL_365' || dayCount === 'ACTUAL_360') {
    const count = dayCount === 'THIRTY_360' ? days360 : daysBetween;
    const period = count(start, due);
    if (period <= 0) return new Money(interest);
    const elapsed = Math.min(period, Math.max(0, count(start, asOf)));
    return roundMoney(interest.mul(elapsed).div(period), scale, rounding);
  }
  const period = yearFractionOf(dayCount, start, due);
  if (period.lte(0)) return new Money(interest);
  const elapsed = Money.min(period, yearFractionOf(dayCount, start, asOf));
  return roundMoney(interest.mul(elapsed).div(period), scale, rounding);
}

/**
 * The payoff on `asOf`: every instalment due by then in full (penalty, fee, interest, principal),
 * the principal of all the others, and of the current period (the first instalment not yet due) the
 * interest accrued to `asOf` pro rata by days (DAILY_ACCRUAL: by the daily rule, `accruedGiven`);
 * the interest of later periods is waived (it would accrue on principal already returned), and so
 * are the fees of the instalments not yet due. Interest already paid beyond the accrual is not
 * refunded.
 */
export function payoffQuote(open: readonly OpenInstalment[], asOf: string, t: PayoffTerms): PayoffQuote {
  const zero = () => new Money(0);
  const ordered = [...open].sort((a, b) => a.number - b.number);
  const current = ordered.find((i) => i.dueDate > asOf)?.number ?? null;
  const q: PayoffQuote = {
    asOf,
    principal: zero(),
    overdueInterest: zero(),
    accruedInterest: zero(),
    penalty: zero(),
    fees: zero(),
    interestWaived: zero(),
    feesWaived: zero(),
    total: zero(),
    lines: [],
  };
  for (const i of ordered) {
    const principal = Money.max(0, i.principal.minus(i.principalPaid));
    const penalty = Money.max(0, i.penalty.minus(i.penaltyPaid));
    const interestOwed = Money.max(0, i.interest.minus(i.interestPaid));
    const feeOwed = Money.max(0, (i.fee ?? zero()).minus(i.feePaid ?? 0));
    let interest: MoneyValue;
    if (i.dueDate <= asOf) {
      interest = interestOwed;
      q.overdueInterest = q.overdueInterest.plus(interest);
    } else if (i.number === current) {
      const accrued = t.accruedGiven ? i.interest : accruedInterest(i.interest, t.periodStart(i.number), i.dueDate, asOf, t.dayCount, t.scale, t.rounding);
      interest = Money.min(interestOwed, Money.max(0, accrued.minus(i.interestPaid)));
      q.accruedInterest = q.accruedInterest.plus(interest);
    } else interest = zero();
    const fee = i.dueDate <= asOf ? feeOwed : zero();
    const waived = interestOwed.minus(interest);
    const feeWaived = feeOwed.minus(fee);
    q.principal = q.principal.plus(principal);
    q.penalty = q.penalty.plus(penalty);
    q.fees = q.fees.plus(fee);
    q.interestWaived = q.interestWaived.plus(waived);
    q.feesWaived = q.feesWaived.plus(feeWaived);
    q.lines.push({ number: i.number, penalty, fee, interest, principal, interestWaived: waived, feeWaived, settles: true });
  }
  q.total = q.principal.plus(q.overdueInterest).plus(q.accruedInterest).plus(q.penalty).plus(q.fees);
  return q;
}

/**
 * Allocates a repayment as bookings and reversal replays do: exactly the payoff quote of the
 * payment date settles the loan (whatever the overpayment policy); otherwise the regular
 * allocation (`allocateRepayment`). Above the payoff only the remaining schedule paid in full is
 * booked (the loan closes); anything else above it is refused (EXCEEDS_BALANCE), under every
 * policy. Below it, an overpayment under REFUSE is OVERPAYMENT_REFUSED.
 */
export function allocatePayment(
  open: OpenInstalment[],
  amount: MoneyValue,
  paidOn: string,
  policy: OverpaymentPolicy,
  t: PayoffTerms,
): AllocationResult & { settlement?: boolean } {
  const quote = payoffQuote(open, paidOn, t);
  if (quote.total.gt(0) && amount.eq(quote.total)) {
    const lines = quote.lines.filter(
      (l) => l.penalty.gt(0) || l.fee.gt(0) || l.interest.gt(0) || l.principal.gt(0) || l.interestWaived.gt(0) || l.feeWaived.gt(0),
    );
    const sum = (f: (l: InstalmentAllocation) => MoneyValue) => lines.reduce((s, l) => s.plus(f(l)), new Money(0));
    const current = [...open].sort((a, b) => a.number - b.number).find((i) => i.dueDate > paidOn)?.number ?? Number.POSITIVE_INFINITY;
    const value: Allocation = {
      lines,
      penalty: sum((l) => l.penalty),
      fee: sum((l) => l.fee),
      interest: sum((l) => l.interest),
      principal: sum((l) => l.principal),
      // Ahead of schedule: the principal of instalments after the current period's.
      prepaid: sum((l) => (l.number > current ? l.principal : new Money(0))),
      prepaidOn: null,
    };
    return { ok: true, value, settlement: true };
  }
  const f = (v: MoneyValue) => v.toFixed(Math.max(2, t.scale));
  const beyond = `the payoff on ${paidOn} is ${f(quote.total)} (principal ${f(quote.principal)}, interest ${f(quote.overdueInterest.plus(quote.accruedInterest))}, penalty ${f(quote.penalty)}${quote.fees.gt(0) ? `, fees ${f(quote.fees)}` : ''})`;
  const result = allocateRepayment(open, amount, paidOn, policy);
  if (!result.ok && result.code === 'EXCEEDS_BALANCE') return { ...result, message: `exceeds everything owed: ${beyond}` };
  // Above the payoff, only the schedule paid in full is booked (the remaining instalments as
  // scheduled, a few days early: the loan closes). Anything else above it, a prepayment or an amount
  // the regular allocation absorbs without clearing the loan, would leave the borrower owing after
  // paying more than what settles the loan: refused, naming the payoff.
  if (quote.total.gt(0) && amount.gt(quote.total) && !(result.ok && result.value.prepaid.isZero() && clearsEverything(open, result.value.lines)))
    return { ok: false, code: 'EXCEEDS_BALANCE', message: `exceeds everything owed: ${beyond}; pay exactly that to settle the loan` };
  return result;
}

/**
 * The payoff rule's terms for a schedule: each instalment's interest period starts at the previous
 * instalment's due date (the disbursement for the first one).
 */
export function payoffTerms(
  schedule: readonly { number: number; due_date: string }[],
  disbursedOn: string,
  dayCount: DayCountConvention,
  currency: string,
  rounding: RoundingMode = 'HALF_UP',
  accruedGiven = false,
): PayoffTerms {
  const dates = new Map(schedule.map((i) => [i.number, i.due_date]));
  const numbers = schedule.map((i) => i.number).sort((x, y) => x - y);
  return {
    dayCount,
    rounding,
    accruedGiven,
    scale: minorUnits(currency) ?? 2,
    periodStart: (n) => {
      const before = numbers.filter((k) => k < n).at(-1);
      return before === undefined ? disbursedOn : (dates.get(before) ?? disbursedOn);
    },
  };
}

/** True when the allocation settles every instalment that still owes something. */
function clearsEverything(open: readonly OpenInstalment[], lines: readonly InstalmentAllocation[]): boolean {
  const owing = (i: OpenInstalment) =>
    i.principal
      .plus(i.interest)
      .plus(i.penalty)
      .plus(i.fee ?? 0)
      .minus(i.principalPaid)
      .minus(i.interestPaid)
      .minus(i.penaltyPaid)
      .minus(i.feePaid ?? 0)
      .gt(0);
  return open.filter(owing).every((i) => lines.some((l) => l.number === i.number && l.settles));
}
