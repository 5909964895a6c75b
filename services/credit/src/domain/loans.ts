import type { UserError, Validation } from '@crm/service-kit';
import type { Decimal } from 'decimal.js';
import { isAccrualDayCount } from './accrual.ts';
import { daysBetween } from './dates.ts';
import { amountMessages, checkAmount, Money, type MoneyValue, minorUnits, type RoundingMode } from './money.ts';
import {
  type AmortisationMethod,
  type DayCountConvention,
  defaultDayCount,
  dueDate,
  type InterestMethod,
  periodsPerYear,
  type RepaymentFrequency,
} from './schedule.ts';

export type LoanProductType = 'MICRO_BUSINESS' | 'CONSUMER' | 'AGRICULTURAL' | 'GROUP';
/**
 * What a repayment above everything due does (see `domain/prepayment.ts`): it repays principal
 * and the rest of the schedule is re-amortised on the principal still outstanding, keeping the
 * instalment and shortening the term (REDUCE_LAST_INSTALMENTS) or keeping the term and lowering
 * the instalment (REDUCE_INSTALMENT_AMOUNT); or it is refused (REFUSE). Settling the loan in full
 * at its payoff quote is accepted under every policy.
 */
export type OverpaymentPolicy = 'REDUCE_LAST_INSTALMENTS' | 'REDUCE_INSTALMENT_AMOUNT' | 'REFUSE';
export type LoanStatus = 'APPLIED' | 'APPROVED' | 'ACTIVE' | 'CLOSED' | 'WRITTEN_OFF';

type Result<T> = Validation<T>;

const err = (field: string, code: string, message: string): UserError => ({ field, code, message });

/** The limits a loan must stay within (a loan product, as the rules see it). */
export interface ProductTerms {
  currency: string;
  minPrincipal: MoneyValue;
  maxPrincipal: MoneyValue;
  minRate: MoneyValue;
  maxRate: MoneyValue;
  minTerm: number;
  maxTerm: number;
  frequency: RepaymentFrequency;
  active: boolean;
}

export interface ProductDraft extends Omit<ProductTerms, 'active'> {
  code: string;
  name: string;
  type: LoanProductType;
  amortisation: AmortisationMethod;
  dayCount: DayCountConvention;
  /** Annual penalty rate on overdue amounts, as a fraction. */
  penaltyRate: MoneyValue;
  graceDays: number;
  overpaymentPolicy: OverpaymentPolicy;
  conventions: ProductConventions;
}

/** The optional conventions of a product (README "Conventions"); every default is the former behaviour. */
export interface ProductConventions {
  interestMethod: InterestMethod;
  roundingMode: RoundingMode;
  instalmentMultiple: MoneyValue | null;
  minFirstPeriodDays: number | null;
  maxFirstPeriodDays: number | null;
  principalGracePeriods: number;
  interestGracePeriods: number;
  disbursementFeeRate: MoneyValue | null;
  disbursementFeeFlat: MoneyValue | null;
  /** The disbursement fee is added to the principal financed instead of deducted from the payout. */
  disbursementFeeFinanced: boolean;
  /** A fixed fee on every instalment (its own part of the instalment), null: none. */
  instalmentFee: MoneyValue | null;
  penaltyCapRate: MoneyValue | null;
}

export interface ProductInput {
  code: string;
  name: string;
  type: LoanProductType;
  currency: string;
  minPrincipal: Decimal;
  maxPrincipal: Decimal;
  minRate: Decimal;
  maxRate: Decimal;
  minTerm: number;
  maxTerm: number;
  frequency: RepaymentFrequency;
  amortisation: AmortisationMethod;
  dayCount?: DayCountConvention | null;
  penaltyRate: Decimal;
  graceDays: number;
  overpaymentPolicy: OverpaymentPolicy;
  interestMethod?: InterestMethod | null;
  roundingMode?: RoundingMode | null;
  instalmentMultiple?: Decimal | null;
  minFirstPeriodDays?: number | null;
  maxFirstPeriodDays?: number | null;
  principalGracePeriods?: number | null;
  interestGracePeriods?: number | null;
  disbursementFeeRate?: Decimal | null;
  disbursementFeeFlat?: Decimal | null;
  disbursementFeeFinanced?: boolean | null;
  instalmentFee?: Decimal | null;
  penaltyCapRate?: Decimal | null;
}

/** Checks a new loan product: ranges ordered and sensible, amounts fit the currency. */
export function validateProduct(input: ProductInput): Result<ProductDraft> {
  const errors: UserError[] = [];
  const code = input.code.trim().toUpperCase();
  if (!/^[A-Z0-9][A-Z0-9_-]{1,39}$/.test(code)) errors.push(err('code', 'INVALID_FORMAT', 'must be 2 to 40 letters, digits, - or _'));
  if (!input.name.trim()) errors.push(err('name', 'REQUIRED', 'must not be blank'));
  const scale = minorUnits(input.currency);
  if (scale === null) errors.push(err('currency', 'UNSUPPORTED_CURRENCY', 'must be an ISO 4217 currency code (three capital letters)'));
  for (const field of ['minPrincipal', 'maxPrincipal'] as const) {
    const problem = checkAmount(input[field], scale ?? 2);
    if (problem) errors.push(err(field, problem, amountMessages[problem]));
  }
  if (input.minPrincipal.gt(input.maxPrincipal)) errors.push(err('maxPrincipal', 'INVALID_RANGE', 'must not be below minPrincipal'));
  for (const field of ['minRate', 'maxRate', 'penaltyRate'] as const) {
    if (input[field].lt(0) || input[field].gt(5)) errors.push(err(field, 'OUT_OF_RANGE', 'must be an annual fraction between 0 and 5'));
    if (input[field].decimalPlaces() > 6) errors.push(err(field, 'TOO_MANY_DECIMALS', 'must have at most 6 decimals'));
  }
  if (input.minRate.gt(input.maxRate)) errors.push(err('maxRate', 'INVALID_RANGE', 'must not be below minRate'));
  if (input.minTerm < 1) errors.push(err('minTerm', 'TOO_SMALL', 'must be at least 1 instalment'));
  if (input.maxTerm > 600) errors.push(err('maxTerm', 'TOO_BIG', 'must be at most 600 instalments'));
  if (input.minTerm > input.maxTerm) errors.push(err('maxTerm', 'INVALID_RANGE', 'must not be below minTerm'));
  if (input.graceDays < 0 || input.graceDays > 90) errors.push(err('graceDays', 'OUT_OF_RANGE', 'must be between 0 and 90'));
  // Daily accrual weighs each calendar day: an actual day count, ACTUAL_365 unless the product says otherwise.
  const daily = input.interestMethod === 'DAILY_ACCRUAL';
  const dayCount = input.dayCount ?? (daily ? 'ACTUAL_365' : defaultDayCount(input.frequency));
  if (dayCount === 'THIRTY_360' && input.frequency !== 'MONTHLY') errors.push(err('dayCount', 'INVALID_DAY_COUNT', 'THIRTY_360 is for monthly products only'));
  else if (daily && !isAccrualDayCount(dayCount))
    errors.push(err('dayCount', 'INVALID_DAY_COUNT', 'DAILY_ACCRUAL counts actual days: ACTUAL_365, ACTUAL_360 or ACTUAL_ACTUAL_ISDA'));
  const conventions = validateConventions(input, scale ?? 2, errors);
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    value: {
      ...input,
      code,
      name: input.name.trim(),
      dayCount,
      minPrincipal: new Money(input.minPrincipal),
      maxPrincipal: new Money(input.maxPrincipal),
      minRate: new Money(input.minRate),
      maxRate: new Money(input.maxRate),
      penaltyRate: new Money(input.penaltyRate),
      conventions,
    },
  };
}

/** The conventions of a product input, checked (problems pushed onto `errors`), defaults filled in. */
function validateConventions(input: ProductInput, scale: number, errors: UserError[]): ProductConventions {
  const multiple = input.instalmentMultiple ?? null;
  if (multiple) {
    const problem = checkAmount(multiple, scale);
    if (problem) errors.push(err('instalmentMultiple', problem, amountMessages[problem]));
    else if (input.amortisation === 'INTEREST_ONLY')
      errors.push(err('instalmentMultiple', 'NOT_ALLOWED', 'interest-only instalments are not rounded to a multiple'));
  }
  const { minFirstPeriodDays: minDays = null, maxFirstPeriodDays: maxDays = null } = input;
  for (const [field, v] of [
    ['minFirstPeriodDays', minDays],
    ['maxFirstPeriodDays', maxDays],
  ] as const) {
    if (v !== null && (v < 1 || v > 400)) errors.push(err(field, 'OUT_OF_RANGE', 'must be between 1 and 400 days'));
  }
  if (minDays !== null && maxDays !== null && minDays > maxDays)
    errors.push(err('maxFirstPeriodDays', 'INVALID_RANGE', 'must not be below minFirstPeriodDays'));
  const principalGrace = input.principalGracePeriods ?? 0;
  const interestGrace = input.interestGracePeriods ?? 0;
  for (const [field, v] of [
    ['principalGracePeriods', principalGrace],
    ['interestGracePeriods', interestGrace],
  ] as const) {
    if (v < 0 || v > 24) errors.push(err(field, 'OUT_OF_RANGE', 'must be between 0 and 24 periods'));
  }
  if (principalGrace >= input.minTerm && principalGrace > 0)
    errors.push(err('principalGracePeriods', 'OUT_OF_RANGE', 'must leave at least one amortising instalment (below minTerm)'));
  const rate = input.disbursementFeeRate ?? null;
  if (rate && (rate.lt(0) || rate.gte(1) || rate.decimalPlaces() > 6))
    errors.push(err('disbursementFeeRate', 'OUT_OF_RANGE', 'must be a fraction of the principal from 0 to below 1, at most 6 decimals'));
  const flat = input.disbursementFeeFlat ?? null;
  if (flat) {
    if (flat.lt(0)) errors.push(err('disbursementFeeFlat', 'NEGATIVE', 'must not be negative'));
    else if (flat.decimalPlaces() > scale) errors.push(err('disbursementFeeFlat', 'TOO_MANY_DECIMALS', amountMessages.TOO_MANY_DECIMALS));
    else if (flat.gte(input.minPrincipal)) errors.push(err('disbursementFeeFlat', 'OUT_OF_RANGE', 'must be below minPrincipal'));
  }
  const instalmentFee = input.instalmentFee ?? null;
  if (instalmentFee) {
    if (instalmentFee.lt(0)) errors.push(err('instalmentFee', 'NEGATIVE', 'must not be negative'));
    else if (instalmentFee.decimalPlaces() > scale) errors.push(err('instalmentFee', 'TOO_MANY_DECIMALS', amountMessages.TOO_MANY_DECIMALS));
  }
  const cap = input.penaltyCapRate ?? null;
  if (cap && (cap.lt(0) || cap.gt(5) || cap.decimalPlaces() > 6))
    errors.push(err('penaltyCapRate', 'OUT_OF_RANGE', 'must be a share of the overdue amount between 0 and 5, at most 6 decimals'));
  return {
    interestMethod: input.interestMethod ?? 'DECLINING_BALANCE',
    roundingMode: input.roundingMode ?? 'HALF_UP',
    instalmentMultiple: multiple ? new Money(multiple) : null,
    minFirstPeriodDays: minDays,
    maxFirstPeriodDays: maxDays,
    principalGracePeriods: principalGrace,
    interestGracePeriods: interestGrace,
    disbursementFeeRate: rate ? new Money(rate) : null,
    disbursementFeeFlat: flat ? new Money(flat) : null,
    disbursementFeeFinanced: input.disbursementFeeFinanced ?? false,
    instalmentFee: instalmentFee?.gt(0) ? new Money(instalmentFee) : null,
    penaltyCapRate: cap ? new Money(cap) : null,
  };
}

/**
 * A chosen first due date: after the disbursement, and the broken first period (in days) within
 * the product's bounds; without bounds, from 1 day to two regular periods after the disbursement.
 */
export function validateFirstDueDate(
  firstDueDate: string,
  disbursedOn: string,
  product: { frequency: RepaymentFrequency; minFirstPeriodDays: number | null; maxFirstPeriodDays: number | null },
): UserError[] {
  const days = daysBetween(disbursedOn, firstDueDate);
  const min = product.minFirstPeriodDays ?? 1;
  const max = product.maxFirstPeriodDays ?? daysBetween(disbursedOn, dueDate(disbursedOn, product.frequency, 2));
  if (days < min || days > max)
    return [err('firstDueDate', 'FIRST_DUE_DATE_OUT_OF_RANGE', `must be ${min} to ${max} days after the disbursement (${disbursedOn}); it is ${days}`)];
  return [];
}

export interface ApplicationInput {
  principal: Decimal;
  annualRate: Decimal;
  termCount: number;
  purpose: string;
}

export interface ApplicationDraft {
  principal: MoneyValue;
  annualRate: MoneyValue;
  termCount: number;
  /** The term expressed in months (rounded up) for the `termMonths` field. */
  termMonths: number;
  purpose: string;
}

/** Checks a loan application against its product's ranges. */
export function validateApplication(input: ApplicationInput, product: ProductTerms): Result<ApplicationDraft> {
  const errors: UserError[] = [];
  if (!product.active) errors.push(err('productCode', 'PRODUCT_INACTIVE', 'the product no longer takes applications'));
  const scale = minorUnits(product.currency) ?? 2;
  const problem = checkAmount(input.principal, scale);
  if (problem) errors.push(err('principal', problem, amountMessages[problem]));
  else if (input.principal.lt(product.minPrincipal) || input.principal.gt(product.maxPrincipal)) {
    errors.push(
      err('principal', 'PRINCIPAL_OUT_OF_RANGE', `must be between ${product.minPrincipal.toFixed()} and ${product.maxPrincipal.toFixed()} ${product.currency}`),
    );
  }
  if (input.annualRate.decimalPlaces() > 6) errors.push(err('annualRate', 'TOO_MANY_DECIMALS', 'must have at most 6 decimals'));
  else if (input.annualRate.lt(product.minRate) || input.annualRate.gt(product.maxRate)) {
    errors.push(err('annualRate', 'RATE_OUT_OF_RANGE', `must be between ${product.minRate.toFixed()} and ${product.maxRate.toFixed()}`));
  }
  if (input.termCount < product.minTerm || input.termCount > product.maxTerm) {
    errors.push(err('termCount', 'TERM_OUT_OF_RANGE', `must be between ${product.minTerm} and ${product.maxTerm} instalments`));
  }
  const purpose = input.purpose.trim();
  if (!purpose) errors.push(err('purpose', 'REQUIRED', 'the declared use of funds is required'));
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    value: {
      principal: new Money(input.principal),
      annualRate: new Money(input.annualRate),
      termCount: input.termCount,
      termMonths: Math.ceil((input.termCount * 12) / periodsPerYear[product.frequency]),
      purpose,
    },
  };
}

/** A status change is allowed only from the status it expects. */
export function checkStatus(actual: LoanStatus, expected: LoanStatus, action: string): UserError[] {
  return actual === expected ? [] : [err('loanId', 'INVALID_LOAN_STATUS', `cannot ${action} a loan that is ${actual}`)];
}

/** Disbursement: the loan is approved, and the date is neither before approval nor in the future. */
export function validateDisbursement(loan: { status: LoanStatus; approvedOn: string | null }, disbursedOn: string, today: string): UserError[] {
  const errors = checkStatus(loan.status, 'APPROVED', 'disburse');
  if (errors.length) return errors;
  if (loan.approvedOn && disbursedOn < loan.approvedOn) {
    return [err('disbursedOn', 'DISBURSEMENT_BEFORE_APPROVAL', `must not be before the approval date ${loan.approvedOn}`)];
  }
  if (disbursedOn > today) return [err('disbursedOn', 'DATE_IN_FUTURE', 'cannot be in the future')];
  return [];
}
