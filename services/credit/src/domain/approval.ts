import type { UserError } from '@crm/service-kit';
import type { Decimal } from 'decimal.js';
import { amountScale, Money, minorUnits, moneyString } from './money.ts';

/** The roles that may give either approval of a loan (administrators always may). */
export const APPROVER_ROLES = ['branch_manager', 'risk_officer', 'administrator'] as const;

export interface ApprovalLimits {
  /** A loan whose principal is above this needs a second approval. */
  secondApprovalAbove: string;
  /** Outstanding principal above which only an administrator may write a loan off; null: no limit. */
  writeOffAdministratorAbove: string | null;
}

/**
 * Whether a loan of this principal needs two approvals. A currency without a policy row needs
 * two for every loan: a missing limit never lets a large loan through on one approval.
 */
export function needsSecondApproval(principal: string, limits: ApprovalLimits | null): boolean {
  return limits === null || new Money(principal).gt(limits.secondApprovalAbove);
}

/** Whether writing off this outstanding principal needs an administrator (no row: never). */
export function writeOffNeedsAdministrator(outstanding: Decimal.Value, limits: ApprovalLimits | null): boolean {
  return limits?.writeOffAdministratorAbove != null && new Money(outstanding).gt(limits.writeOffAdministratorAbove);
}

export interface ApprovalPolicyInput {
  currency: string;
  secondApprovalAbove: Decimal;
  writeOffAdministratorAbove?: Decimal | null;
}

/** Checks a new policy: a currency code, amounts not negative and within the currency's minor unit. */
export function validateApprovalPolicy(input: ApprovalPolicyInput): {
  errors: UserError[];
  row: { currency: string; second: string; writeOff: string | null };
} {
  const errors: UserError[] = [];
  const currency = input.currency.trim();
  const scale = minorUnits(currency);
  if (scale === null) errors.push({ field: 'currency', code: 'UNSUPPORTED_CURRENCY', message: 'must be an ISO 4217 currency code (three capital letters)' });
  const amounts = [
    ['secondApprovalAbove', input.secondApprovalAbove],
    ['writeOffAdministratorAbove', input.writeOffAdministratorAbove ?? null],
  ] as const;
  for (const [field, value] of amounts) {
    if (value === null) continue;
    if (value.lt(0)) errors.push({ field, code: 'NEGATIVE', message: 'must not be negative' });
    else if (scale !== null && value.decimalPlaces() > scale)
      errors.push({ field, code: 'TOO_MANY_DECIMALS', message: `has more decimals than ${currency} allows (${scale})` });
  }
  const s = scale === null ? 2 : amountScale(currency);
  return {
    errors,
    row: {
      currency,
      second: moneyString(input.secondApprovalAbove, s),
      writeOff: input.writeOffAdministratorAbove == null ? null : moneyString(input.writeOffAdministratorAbove, s),
    },
  };
}
