import type { UserError } from '@crm/service-kit';
import type { Decimal } from 'decimal.js';
import { daysBetween } from './dates.ts';
import type { LoanStatus } from './loans.ts';
import { amountMessages, checkAmount, Money, type MoneyValue, minorUnits } from './money.ts';

/** Checks a repayment before any allocation: an active loan, a positive amount in the currency's unit, a sensible date. */
export function validateRepayment(
  input: { amount: Decimal; paidOn: string; channel: string; externalReference: string },
  loan: { status: LoanStatus; currency: string; disbursedOn: string | null },
  today: string,
): UserError[] {
  const errors: UserError[] = [];
  if (loan.status !== 'ACTIVE') errors.push({ field: 'loanId', code: 'LOAN_NOT_ACTIVE', message: `cannot repay a loan that is ${loan.status}` });
  const problem = checkAmount(input.amount, minorUnits(loan.currency) ?? 2);
  if (problem) errors.push({ field: 'amount', code: problem, message: amountMessages[problem] });
  if (input.paidOn > today) errors.push({ field: 'paidOn', code: 'DATE_IN_FUTURE', message: 'cannot be in the future' });
  else if (loan.disbursedOn && input.paidOn < loan.disbursedOn) {
    errors.push({ field: 'paidOn', code: 'BEFORE_DISBURSEMENT', message: `must not be before the disbursement on ${loan.disbursedOn}` });
  }
  if (!input.channel.trim()) errors.push({ field: 'channel', code: 'REQUIRED', message: 'must not be blank' });
  if (!input.externalReference.trim()) errors.push({ field: 'externalReference', code: 'REQUIRED', message: 'must not be blank' });
  return errors;
}

/** Whole days an instalment was paid after its due date (0 when on time). */
export function daysLate(dueDate: string, paidOn: string): number {
  return Math.max(0, daysBetween(dueDate, paidOn));
}

/** An instalment's amounts as stored (decimal strings). */
export interface InstalmentAmounts {
  number: number;
  due_date: string;
  paid_on: string | null;
  principal: string;
  interest: string;
  penalty: string;
  principal_paid: string;
  interest_paid: string;
  penalty_paid: string;
  /** The per-instalment fee and what was paid of it (0 when absent). */
  fee?: string;
  fee_paid?: string;
}

/** What the instalment still owes: principal, interest, fee and penalty less what was paid (and `alsoPaid`). */
export function instalmentOwed(i: InstalmentAmounts, alsoPaid: Decimal.Value = 0): MoneyValue {
  return new Money(i.principal)
    .plus(i.interest)
    .plus(i.penalty)
    .plus(i.fee ?? 0)
    .minus(i.principal_paid)
    .minus(i.interest_paid)
    .minus(i.penalty_paid)
    .minus(i.fee_paid ?? 0)
    .minus(alsoPaid);
}

/**
 * Instalments without a payment date that owe nothing (a 0.00 instalment of a 0 % interest-only
 * loan, say): they count as paid, on their due date or `on` when earlier. A loan whose
 * instalments are all paid or owe nothing is repaid, and closes.
 */
export function settledWithoutPayment(
  schedule: readonly InstalmentAmounts[],
  on: string,
  alsoPaid: (n: number) => Decimal.Value = () => 0,
): { number: number; paidOn: string }[] {
  return schedule
    .filter((i) => i.paid_on === null && instalmentOwed(i, alsoPaid(i.number)).lte(0))
    .map((i) => ({ number: i.number, paidOn: i.due_date < on ? i.due_date : on }));
}
