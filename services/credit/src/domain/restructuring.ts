import type { UserError } from '@crm/service-kit';
import type { Decimal } from 'decimal.js';
import type { LoanStatus } from './loans.ts';
import type { RoundingMode } from './money.ts';
import { Money, type MoneyValue } from './money.ts';
import {
  type AmortisationMethod,
  type DayCountConvention,
  dueDate,
  generateSchedule,
  gridDate,
  type InterestMethod,
  type RepaymentFrequency,
} from './schedule.ts';

export type RestructuringKind = 'PAYMENT_HOLIDAY' | 'TERM_EXTENSION' | 'RATE_REDUCTION';

export interface RestructuringRequest {
  kind: RestructuringKind;
  /** PAYMENT_HOLIDAY: instalments deferred; TERM_EXTENSION: instalments added. */
  instalments: number | null;
  newRate: Decimal | null;
  effectiveOn: string;
  reason: string;
}

/** Checks a request against the loan: only active loans, a sensible size for each kind. */
export function validateRestructuring(r: RestructuringRequest, loan: { status: LoanStatus; annualRate: MoneyValue; disbursedOn: string | null }): UserError[] {
  const errors: UserError[] = [];
  if (loan.status !== 'ACTIVE') errors.push({ field: 'loanId', code: 'LOAN_NOT_ACTIVE', message: `cannot restructure a loan that is ${loan.status}` });
  if (!r.reason.trim()) errors.push({ field: 'reason', code: 'REQUIRED', message: 'say why the customer needs it' });
  if (loan.disbursedOn && r.effectiveOn < loan.disbursedOn)
    errors.push({ field: 'effectiveOn', code: 'BEFORE_DISBURSEMENT', message: 'must not be before the disbursement' });
  if (r.kind !== 'RATE_REDUCTION' && (r.instalments === null || r.instalments < 1 || r.instalments > 24)) {
    errors.push({ field: 'instalments', code: 'OUT_OF_RANGE', message: 'must be between 1 and 24' });
  }
  if (r.kind === 'RATE_REDUCTION') {
    if (!r.newRate) errors.push({ field: 'newRate', code: 'REQUIRED', message: 'a rate reduction needs the new rate' });
    else if (r.newRate.lt(0) || r.newRate.gte(loan.annualRate) || r.newRate.decimalPlaces() > 6) {
      errors.push({ field: 'newRate', code: 'OUT_OF_RANGE', message: 'must be below the current rate and not negative, at most 6 decimals' });
    }
  }
  return errors;
}

export interface ScheduledInstalment {
  number: number;
  dueDate: string;
  principal: MoneyValue;
  interest: MoneyValue;
  principalPaid: MoneyValue;
  interestPaid: MoneyValue;
  penalty: MoneyValue;
  penaltyPaid: MoneyValue;
  paidOn: string | null;
  /** The per-instalment fee, what was paid and waived of it (carried by an instalment kept or moved; a fresh one has none here). */
  fee?: MoneyValue;
  feePaid?: MoneyValue;
  feeWaived?: MoneyValue;
}

export interface RestructuringTerms {
  annualRate: MoneyValue;
  frequency: RepaymentFrequency;
  method: AmortisationMethod;
  dayCount: DayCountConvention;
  disbursedOn: string;
  scale: number;
  /** The loan's chosen first due date (its grid), null when instalment k is k periods after the disbursement. */
  firstDueDate?: string | null;
  interestMethod?: InterestMethod;
  rounding?: RoundingMode;
  instalmentMultiple?: MoneyValue | null;
}

/**
 * The period index of a due date on the loan's grid (instalment k is k periods after the
 * disbursement, `dueDate`), or null when the date is off the grid. Restructurings and
 * prepayments only ever write grid dates, so the index says how far a schedule version in force
 * has moved (a payment holiday moves instalment k to period k + N).
 */
export function gridPeriod(disbursedOn: string, frequency: RepaymentFrequency, date: string, firstDueDate: string | null = null): number | null {
  for (let k = 1; k <= 2000; k++) {
    const d = gridDate(disbursedOn, frequency, k, firstDueDate);
    if (d === date) return k;
    if (d > date) return null;
  }
  return null;
}

/**
 * The next schedule version, computed from the version in force (not from the original
 * schedule) and the date the restructuring takes effect. Instalments due before `effectiveOn`
 * and instalments already fully paid stay as they are (arrears stay due). The rest ("open"
 * instalments, due on or after `effectiveOn`):
 * - PAYMENT_HOLIDAY: every open instalment moves N periods later than it is now due (grid
 *   period + N), amounts and what was already paid on it unchanged (no interest for the holiday);
 * - TERM_EXTENSION: the remaining principal is re-amortised over their count + N instalments
 *   by the product's method; the first re-amortised instalment keeps the period it is now due in
 *   (so a holiday granted earlier holds), interest from the period before it;
 * - RATE_REDUCTION: the same over the same count at the new rate.
 * An open instalment that already carries a payment (partly paid ahead) is not refused: a holiday
 * moves it with its payment; a term extension or rate reduction keeps it, and every instalment up
 * to the last one carrying a payment, exactly as it is and re-amortises the instalments after it.
 * Due dates are on the disbursement's grid (instalment k is k periods after it), so month-end
 * anchors hold however many times the loan is restructured.
 */
export function restructureSchedule(
  current: ScheduledInstalment[],
  r: { kind: RestructuringKind; instalments: number | null; newRate: MoneyValue | null; effectiveOn: string },
  t: RestructuringTerms,
): { ok: true; schedule: ScheduledInstalment[] } | { ok: false; code: string; message: string } {
  const sorted = [...current].sort((a, b) => a.number - b.number);
  const carries = (i: ScheduledInstalment) =>
    i.principalPaid
      .plus(i.interestPaid)
      .plus(i.penaltyPaid)
      .plus(i.feePaid ?? 0)
      .gt(0);
  const firstOpen = sorted.find((i) => i.dueDate >= r.effectiveOn && i.paidOn === null);
  if (!firstOpen) return { ok: false, code: 'NOTHING_TO_RESTRUCTURE', message: 'no instalment falls due on or after the effective date unpaid' };
  const n = r.instalments ?? 0;
  if (r.kind === 'PAYMENT_HOLIDAY') {
    const shifted = sorted.map((i) => {
      if (i.dueDate < r.effectiveOn || i.paidOn !== null) return i;
      const k = gridPeriod(t.disbursedOn, t.frequency, i.dueDate, t.firstDueDate);
      return { ...i, dueDate: k === null ? dueDate(i.dueDate, t.frequency, n) : gridDate(t.disbursedOn, t.frequency, k + n, t.firstDueDate) };
    });
    return { ok: true, schedule: shifted };
  }
  // Everything from the first open instalment on is re-amortised, except a prefix that already carries payments.
  const fromFirst = sorted.filter((i) => i.number >= firstOpen.number);
  const lastCarrying = [...fromFirst].reverse().find(carries);
  const open = lastCarrying ? fromFirst.filter((i) => i.number > lastCarrying.number) : fromFirst;
  const kept = sorted.filter((i) => !open.includes(i));
  const first = open[0];
  if (!first)
    return {
      ok: false,
      code: 'OPEN_INSTALMENT_PARTLY_PAID',
      message: 'every instalment due on or after the effective date already carries a payment: nothing is left to re-amortise',
    };
  const principal = open.reduce((s, i) => s.plus(i.principal), new Money(0));
  const count = open.length + (r.kind === 'TERM_EXTENSION' ? n : 0);
  const period = gridPeriod(t.disbursedOn, t.frequency, first.dueDate, t.firstDueDate);
  const previous = kept.filter((i) => i.number < first.number).at(-1)?.dueDate ?? t.disbursedOn;
  const fresh = generateSchedule({
    principal,
    annualRate: r.kind === 'RATE_REDUCTION' && r.newRate ? r.newRate : t.annualRate,
    count,
    frequency: t.frequency,
    method: t.method,
    dayCount: t.dayCount,
    // on the grid: from the disbursement at the period the first open instalment is due in now
    startDate: period === null ? previous : t.disbursedOn,
    firstPeriod: period ?? 1,
    firstDueDate: period === null ? null : t.firstDueDate,
    scale: t.scale,
    interestMethod: t.interestMethod,
    rounding: t.rounding,
    instalmentMultiple: t.instalmentMultiple,
  });
  const zero = new Money(0);
  const renumbered = fresh.map((p, k) => ({
    number: first.number + k,
    dueDate: p.dueDate,
    principal: p.principal,
    interest: p.interest,
    principalPaid: zero,
    interestPaid: zero,
    penalty: zero,
    penaltyPaid: zero,
    paidOn: null,
  }));
  return { ok: true, schedule: [...kept, ...renumbered].sort((a, b) => a.number - b.number) };
}
