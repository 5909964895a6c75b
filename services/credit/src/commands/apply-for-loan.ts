import { emit } from '@crm/events';
import { lockIdempotencyKey, runCommand, type UserError } from '@crm/service-kit';
import type { Decimal } from 'decimal.js';
import { v7 as uuidv7 } from 'uuid';
import type { CreditContext } from '../context.ts';
import { findCustomerReplica } from '../db/customer-replica.store.ts';
import { findLoanIdByIdempotencyKey, insertLoan } from '../db/loan.store.ts';
import { findProductByCode, productTermsOf } from '../db/product.store.ts';
import { SYSTEM_SCOPE } from '../db/scope.ts';
import { findCustomerTiers } from '../db/tier-replica.store.ts';
import { validateApplication } from '../domain/loans.ts';
import { amountScale, moneyString } from '../domain/money.ts';
import { priceLoan } from '../domain/pricing.ts';

export interface ApplyForLoanCommand {
  customerId: string;
  productCode: string;
  principal: Decimal;
  annualRate: Decimal;
  termCount: number;
  purpose: string;
  /** Honoured only for an administrator (an assignment, recorded with the administrator as applicant). */
  officerId: string | null;
  idempotencyKey: string | null;
}

/**
 * Records a loan application. The officer is the caller: an officer named in the command is
 * honoured only for an administrator, and `applied_by` keeps who recorded it. A customer outside
 * the caller's scope is FORBIDDEN and nothing is written.
 */
export async function applyForLoan(ctx: CreditContext, cmd: ApplyForLoanCommand): Promise<{ loanId: string | null; userErrors: UserError[] }> {
  const identity = ctx.identity;
  const actorId = identity?.userId ?? 'unknown';
  // The customer's scope first: a replay of an idempotency key must not reveal another branch's loan.
  const customer = await findCustomerReplica(ctx.db, ctx.scope, cmd.customerId);
  return runCommand(ctx, { action: 'applyForLoan', entityType: 'Loan' }, async (tx, audit) => {
    if (cmd.idempotencyKey) {
      // a second identical request waits for the first to commit, then finds its row
      await lockIdempotencyKey(tx, 'loan', cmd.idempotencyKey);
      const existing = await findLoanIdByIdempotencyKey(tx, cmd.idempotencyKey);
      if (existing) {
        audit.entity(existing);
        audit.detail({ replay: true });
        return { loanId: existing, userErrors: [] };
      }
    }
    const product = await findProductByCode(tx, cmd.productCode.trim().toUpperCase());
    if (!product) return { loanId: null, userErrors: [{ field: 'productCode', code: 'PRODUCT_NOT_FOUND', message: `No product ${cmd.productCode}` }] };
    const result = validateApplication(cmd, productTermsOf(product));
    if (!result.ok) return { loanId: null, userErrors: result.errors };
    if (!customer) return { loanId: null, userErrors: [{ field: 'customerId', code: 'CUSTOMER_NOT_FOUND', message: `No customer with id ${cmd.customerId}` }] };
    const a = result.value;
    // loyalty pricing (issue 15): the tier's discount off the rate asked for, floored at the product's minimum rate
    const [tier] = await findCustomerTiers(tx, SYSTEM_SCOPE, [customer.id]);
    const pricing = priceLoan({ baseRate: a.annualRate, tier: tier?.tier ?? null, discountBps: tier?.rate_discount_bps ?? 0, floorRate: product.min_rate });
    const id = uuidv7();
    const officerId = cmd.officerId && identity?.roles.includes('administrator') ? cmd.officerId : actorId;
    await insertLoan(tx, {
      id,
      customer_id: customer.id,
      product_code: product.code,
      product_id: product.id,
      status: 'APPLIED',
      principal: moneyString(a.principal, amountScale(product.currency)),
      currency: product.currency,
      annual_rate: pricing.rate.toFixed(6),
      base_annual_rate: pricing.baseRate.toFixed(6),
      pricing_tier: pricing.tier,
      rate_discount_bps: pricing.discountBps,
      rate_discount: pricing.discount.toFixed(6),
      floor_rate: pricing.floorRate.toFixed(6),
      term_months: a.termMonths,
      term_count: a.termCount,
      purpose: a.purpose,
      officer_id: officerId,
      applied_by: actorId,
      branch_id: customer.branch_id,
      applied_at: ctx.now(),
      idempotency_key: cmd.idempotencyKey,
      approved_by: null,
      approved_at: null,
      write_off_reason: null,
      loan_cycle: null,
      risk_class_override: null,
      risk_class_override_reason: null,
    });
    await emit(tx, 'LoanApplied', {
      subject: customer.id,
      data: {
        loanId: id,
        customerId: customer.id,
        productCode: product.code,
        principal: moneyString(a.principal, amountScale(product.currency)),
        currency: product.currency,
        termCount: a.termCount,
        officerId,
        purpose: a.purpose,
        annualRate: pricing.rate.toFixed(6),
        baseAnnualRate: pricing.baseRate.toFixed(6),
        rateDiscount: pricing.discount.toFixed(6),
        loyaltyTier: pricing.tier,
      },
    });
    audit.entity(id);
    audit.changes(null, {
      status: 'APPLIED',
      customerId: customer.id,
      principal: moneyString(a.principal, amountScale(product.currency)),
      officerId,
      appliedBy: actorId,
      annualRate: pricing.rate.toFixed(6),
      ...(pricing.discount.gt(0) ? { baseAnnualRate: pricing.baseRate.toFixed(6), loyaltyTier: pricing.tier, rateDiscountBps: pricing.discountBps } : {}),
    });
    if (officerId !== actorId) audit.detail({ officerAssignedBy: actorId });
    return { loanId: id, userErrors: [] };
  });
}
