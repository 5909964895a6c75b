import type { UserError } from '@crm/service-kit';
import type { Decimal } from 'decimal.js';
import { daysBetween } from './dates.ts';
import type { LoanStatus } from './loans.ts';
import { amountMessages, checkAmount, minorUnits } from './money.ts';

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
