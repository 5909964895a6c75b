import type { UserError } from '@crm/service-kit';
import { Decimal } from 'decimal.js';
import { amountMessages, checkAmount, Money, minorUnits } from './money.ts';

/** A valuation: a positive amount in the loan's currency unit, not dated in the future. */
export function validateValuation(v: { value: Decimal; valuedOn: string; currency: string }, today: string): UserError[] {
  const errors: UserError[] = [];
  const problem = checkAmount(v.value, minorUnits(v.currency) ?? 2);
  if (problem) errors.push({ field: 'value', code: problem, message: amountMessages[problem] });
  if (v.valuedOn > today) errors.push({ field: 'valuedOn', code: 'DATE_IN_FUTURE', message: 'cannot be in the future' });
  return errors;
}

/** Loan-to-value: outstanding principal / the sum of each collateral's latest value, 4 decimals half up; null without collateral. */
export function loanToValue(outstanding: string, latestValues: string[]): string | null {
  const total = latestValues.reduce((s, v) => s.plus(v), new Money(0));
  if (total.isZero()) return null;
  return new Money(outstanding).div(total).toDecimalPlaces(4, Decimal.ROUND_HALF_UP).toFixed(4);
}
