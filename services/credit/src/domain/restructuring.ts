import type { UserError } from '@crm/service-kit';
import type { Decimal } from 'decimal.js';
import type { LoanStatus } from './loans.ts';
import { Money, type MoneyValue } from './money.ts';
import { type AmortisationMethod, type DayCountConvention, dueDate, generateSchedule, type RepaymentFrequency } from './schedule.ts';

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
}

export interface RestructuringTerms {
  annualRate: MoneyValue;
  frequency: RepaymentFrequency;
  method: AmortisationMethod;
  dayCount: DayCountConvention;
  disbursedOn: string;
  scale: number;
}

/**
 * The next schedule version. Instalments due before `effectiveOn` and instalments already
 * fully paid stay as they are (arrears stay due). The rest ("open" instalments):
 * - PAYMENT_HOLIDAY: move N periods later, amounts unchanged (no interest for the holiday);
 * - TERM_EXTENSION: their remaining principal is re-amortised over their count + N instalments
 *   by the product's method, from the previous due date;
 * - RATE_REDUCTION: the same over the same count at the new rate.
 * Open instalments must carry no payment yet (returns an error code otherwise). Due dates are
 * counted from the disbursement (instalment k is k periods after it), so month-end anchors hold;
 * a loan restructured twice counts from its disbursement again (a known simplification).
 */
export function restructureSchedule(
  current: ScheduledInstalment[],
  r: { kind: RestructuringKind; instalments: number | null; newRate: MoneyValue | null; effectiveOn: string },
  t: RestructuringTerms,
): { ok: true; schedule: ScheduledInstalment[] } | { ok: false; code: string; message: string } {
  const sorted = [...current].sort((a, b) => a.number - b.number);
  const open = sorted.filter((i) => i.dueDate >= r.effectiveOn && i.paidOn === null);
  const kept = sorted.filter((i) => !open.includes(i));
  if (!open.length) return { ok: false, code: 'NOTHING_TO_RESTRUCTURE', message: 'no instalment falls due on or after the effective date unpaid' };
  if (open.some((i) => i.principalPaid.plus(i.interestPaid).plus(i.penaltyPaid).gt(0))) {
    return {
      ok: false,
      code: 'OPEN_INSTALMENT_PARTLY_PAID',
      message: 'an instalment due after the effective date is partly paid; book the restructuring from a later date',
    };
  }
  const n = r.instalments ?? 0;
  if (r.kind === 'PAYMENT_HOLIDAY') {
    const shifted = open.map((i) => ({ ...i, dueDate: dueDate(t.disbursedOn, t.frequency, i.number + n) }));
    return { ok: true, schedule: [...kept, ...shifted].sort((a, b) => a.number - b.number) };
  }
  const principal = open.reduce((s, i) => s.plus(i.principal), new Money(0));
  const count = open.length + (r.kind === 'TERM_EXTENSION' ? n : 0);
  const first = open[0]?.number ?? 1;
  const fresh = generateSchedule({
    principal,
    annualRate: r.kind === 'RATE_REDUCTION' && r.newRate ? r.newRate : t.annualRate,
    count,
    frequency: t.frequency,
    method: t.method,
    dayCount: t.dayCount,
    startDate: t.disbursedOn,
    firstPeriod: first,
    scale: t.scale,
  });
  const zero = new Money(0);
  const renumbered = fresh.map((p, k) => ({
    number: first + k,
    dueDate: p.dueDate,
    principal: p.principal,
    interest: p.interest,
    principalPaid: zero,
    interestPaid: zero,
    penalty: zero,
    penaltyPaid: zero,
    paidOn: null,
  }));
  const later = kept.filter((i) => i.number > first);
  if (later.length) return { ok: false, code: 'OPEN_INSTALMENT_PARTLY_PAID', message: 'instalments after the effective date are already paid ahead' };
  return { ok: true, schedule: [...kept, ...renumbered].sort((a, b) => a.number - b.number) };
}
