import type { OverpaymentPolicy } from './loans.ts';
import { Money, type MoneyValue, type RoundingMode, roundMoney } from './money.ts';
import {
  type AmortisationMethod,
  annuityPayment,
  type DayCountConvention,
  type InterestMethod,
  nominalPeriodRate,
  type PlannedInstalment,
  type RepaymentFrequency,
  yearFraction,
} from './schedule.ts';

/**
 * How the rest of the schedule is re-amortised after a prepayment:
 * - KEEP_INSTALMENT (policy REDUCE_LAST_INSTALMENTS): the same instalment (the level payment,
 *   or the same principal for equal-principal loans) until the smaller balance is repaid: fewer
 *   instalments, the last taking the remainder;
 * - KEEP_TERM (policy REDUCE_INSTALMENT_AMOUNT): the same remaining instalments and due dates, a
 *   lower level payment (or lower equal principal).
 * Interest-only loans keep their term either way (interest on the lower balance, a lower bullet).
 */
export type Reamortisation = 'KEEP_INSTALMENT' | 'KEEP_TERM';

export function reamortisationOf(policy: OverpaymentPolicy): Reamortisation | null {
  if (policy === 'REDUCE_LAST_INSTALMENTS') return 'KEEP_INSTALMENT';
  if (policy === 'REDUCE_INSTALMENT_AMOUNT') return 'KEEP_TERM';
  return null;
}

export interface ReamortisationTerms {
  /** Principal outstanding after the prepayment (on the instalments after the one it was booked on). */
  balance: MoneyValue;
  annualRate: MoneyValue;
  frequency: RepaymentFrequency;
  method: AmortisationMethod;
  dayCount: DayCountConvention;
  scale: number;
  /** Interest runs from this date: the due date of the instalment the prepayment was booked on. */
  from: string;
  /** The due dates of the instalments after it in the current schedule (their number is kept). */
  dueDates: string[];
  mode: Reamortisation;
  /** The next instalment as scheduled before the prepayment: the level (principal + interest) and its principal. */
  keep: { total: MoneyValue; principal: MoneyValue };
  /** FLAT: each later period's interest on the balance re-amortised (not the original principal), which a prepayment lowered. */
  interestMethod?: InterestMethod;
  rounding?: RoundingMode;
}

/**
 * The instalments after a prepayment, numbered 1.. (the caller renumbers them after the
 * instalment the prepayment was booked on). Interest per period = balance * annualRate * the
 * period's year fraction, rounded half up, as in `generateSchedule`; the last instalment takes
 * what principal is left, so the principals sum exactly to `balance`.
 */
export function reamortise(t: ReamortisationTerms): PlannedInstalment[] {
  const n = t.dueDates.length;
  const out: PlannedInstalment[] = [];
  if (!n || t.balance.lte(0)) return out;
  const keepTerm = t.mode === 'KEEP_TERM' || t.method === 'INTEREST_ONLY';
  const rounding = t.rounding ?? 'HALF_UP';
  const flat = t.interestMethod === 'FLAT';
  const level =
    t.method === 'EQUAL_INSTALMENT' && !flat ? (keepTerm ? annuityPayment(t.balance, nominalPeriodRate(t), n, t.scale, rounding) : t.keep.total) : null;
  const equalPrincipal = keepTerm || flat ? roundMoney(t.balance.div(n), t.scale, rounding) : t.keep.principal;
  let balance = new Money(t.balance);
  let from = t.from;
  for (const [k, to] of t.dueDates.entries()) {
    const base = flat ? t.balance : balance;
    const interest = roundMoney(base.mul(t.annualRate).mul(yearFraction(t.dayCount, t.frequency, from, to)), t.scale, rounding);
    let principal: MoneyValue;
    if (k === n - 1) principal = balance;
    else if (level) principal = Money.max(0, Money.min(balance, level.minus(interest)));
    else if (t.method === 'EQUAL_PRINCIPAL' || (flat && t.method === 'EQUAL_INSTALMENT')) principal = Money.min(balance, equalPrincipal);
    else principal = new Money(0);
    // Keeping the instalment: the one that would pay no more than it repays the rest.
    if (!keepTerm && level && balance.plus(interest).lte(level)) principal = balance;
    balance = balance.minus(principal);
    out.push({ number: k + 1, dueDate: to, principal, interest, total: principal.plus(interest), closingBalance: balance });
    from = to;
    if (balance.isZero()) break;
  }
  return out;
}
