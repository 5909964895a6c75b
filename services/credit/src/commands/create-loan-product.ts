import { runCommand, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { CreateLoanProductInput } from '../__generated__/resolvers-types.ts';
import type { CreditContext } from '../context.ts';
import { findProductByCode, insertProduct } from '../db/product.store.ts';
import { validateProduct } from '../domain/loans.ts';

/** Defines a loan product within consistent ranges; codes are unique. */
export async function createLoanProduct(ctx: CreditContext, cmd: CreateLoanProductInput): Promise<{ productId: string | null; userErrors: UserError[] }> {
  return runCommand(ctx, { action: 'createLoanProduct', entityType: 'LoanProduct' }, async (tx, audit) => {
    const result = validateProduct(cmd);
    if (!result.ok) return { productId: null, userErrors: result.errors };
    const p = result.value;
    if (await findProductByCode(tx, p.code)) {
      return { productId: null, userErrors: [{ field: 'code', code: 'DUPLICATE_CODE', message: `A product ${p.code} already exists` }] };
    }
    const id = uuidv7();
    const row = {
      id,
      code: p.code,
      name: p.name,
      type: p.type,
      currency: p.currency,
      min_principal: p.minPrincipal.toFixed(),
      max_principal: p.maxPrincipal.toFixed(),
      min_rate: p.minRate.toFixed(),
      max_rate: p.maxRate.toFixed(),
      min_term: p.minTerm,
      max_term: p.maxTerm,
      frequency: p.frequency,
      amortisation: p.amortisation,
      day_count: p.dayCount,
      penalty_rate: p.penaltyRate.toFixed(),
      grace_days: p.graceDays,
      overpayment_policy: p.overpaymentPolicy,
      interest_method: p.conventions.interestMethod,
      rounding_mode: p.conventions.roundingMode,
      instalment_multiple: p.conventions.instalmentMultiple?.toFixed() ?? null,
      min_first_period_days: p.conventions.minFirstPeriodDays,
      max_first_period_days: p.conventions.maxFirstPeriodDays,
      principal_grace_periods: p.conventions.principalGracePeriods,
      interest_grace_periods: p.conventions.interestGracePeriods,
      disbursement_fee_rate: p.conventions.disbursementFeeRate?.toFixed() ?? null,
      disbursement_fee_flat: p.conventions.disbursementFeeFlat?.toFixed() ?? null,
      disbursement_fee_financed: p.conventions.disbursementFeeFinanced,
      instalment_fee: p.conventions.instalmentFee?.toFixed() ?? null,
      penalty_cap_rate: p.conventions.penaltyCapRate?.toFixed() ?? null,
    };
    await insertProduct(tx, row);
    audit.entity(id);
    audit.changes(null, row);
    return { productId: id, userErrors: [] };
  });
}
