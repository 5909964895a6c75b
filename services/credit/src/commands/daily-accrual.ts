import type { LoanProductRow, LoanRow, RepaymentRow } from '../db/schema.ts';
import { type AccrualInstalment, type AccrualTerms, interestAccruedBy, isAccrualDayCount, type PrincipalRepaid } from '../domain/accrual.ts';
import type { OpenInstalment } from '../domain/allocation.ts';
import { Money, minorUnits } from '../domain/money.ts';

/**
 * The DAILY_ACCRUAL rule (domain/accrual.ts) as the repayment commands use it: before a repayment
 * valued on d is allocated, the open instalments' interest becomes the interest accrued by d on
 * the principal actually outstanding (the payoff quote charges it as given); after it, the stored
 * figures are restated set-wise (`restateDailyInterest`, db/accrual.store.ts).
 */
export function accrualTermsOf(
  loan: Pick<LoanRow, 'disbursed_on' | 'principal' | 'financed_amount' | 'annual_rate' | 'currency'>,
  product: LoanProductRow | undefined,
): AccrualTerms | null {
  if (product?.interest_method !== 'DAILY_ACCRUAL' || !isAccrualDayCount(product.day_count) || !loan.disbursed_on) return null;
  return {
    disbursedOn: loan.disbursed_on,
    financed: new Money(loan.financed_amount ?? loan.principal),
    annualRate: new Money(loan.annual_rate),
    dayCount: product.day_count,
    scale: minorUnits(loan.currency) ?? 2,
    rounding: product.rounding_mode ?? 'HALF_UP',
  };
}

/** The principal the standing repayments repaid, by value date. */
export function principalRepaid(standing: readonly Pick<RepaymentRow, 'paid_on' | 'principal_paid'>[]): PrincipalRepaid[] {
  return standing.map((r) => ({ on: r.paid_on, principal: new Money(r.principal_paid) }));
}

/** The open instalments with their interest as accrued by `on` (nothing changes without daily accrual terms). */
export function withInterestAccruedBy<T extends OpenInstalment>(
  open: readonly T[],
  all: readonly AccrualInstalment[],
  repaid: readonly PrincipalRepaid[],
  terms: AccrualTerms | null,
  on: string,
): T[] {
  if (!terms) return [...open];
  const accrued = interestAccruedBy(all, repaid, terms, on);
  return open.map((i) => ({ ...i, interest: accrued.get(i.number) ?? i.interest }));
}

/** Stored instalment rows as the accrual rule reads them. */
export function accrualInstalmentsOf(
  rows: readonly { number: number; due_date: string; principal: string; principal_paid: string; interest_paid: string; paid_on: string | null }[],
): AccrualInstalment[] {
  return rows.map((i) => ({
    number: i.number,
    dueDate: i.due_date,
    principal: new Money(i.principal),
    principalPaid: new Money(i.principal_paid),
    interestPaid: new Money(i.interest_paid),
    paidOn: i.paid_on,
  }));
}

/** A stored instalment as the allocation reads it (fee included). */
export function openInstalmentOf(i: {
  number: number;
  due_date: string;
  principal: string;
  interest: string;
  penalty: string;
  principal_paid: string;
  interest_paid: string;
  penalty_paid: string;
  fee: string;
  fee_paid: string;
}): OpenInstalment {
  return {
    number: i.number,
    dueDate: i.due_date,
    principal: new Money(i.principal),
    interest: new Money(i.interest),
    penalty: new Money(i.penalty),
    principalPaid: new Money(i.principal_paid),
    interestPaid: new Money(i.interest_paid),
    penaltyPaid: new Money(i.penalty_paid),
    fee: new Money(i.fee),
    feePaid: new Money(i.fee_paid),
  };
}
