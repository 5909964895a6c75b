import { emit } from '@crm/events';
import { requireIdentity, requireRole } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { findCustomerReplica } from '../../db/customer-replica.store.ts';
import { findLoanIdByIdempotencyKey, insertLoan } from '../../db/loan.store.ts';
import { findProductByCode, productTermsOf } from '../../db/product.store.ts';
import { validateApplication } from '../../domain/loans.ts';
import { moneyString } from '../../domain/money.ts';

export const applyForLoan: MutationResolvers['applyForLoan'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'loan_officer', 'branch_manager');
  if (input.idempotencyKey) {
    const existing = await findLoanIdByIdempotencyKey(ctx.db, input.idempotencyKey);
    if (existing) return { loan: await ctx.loaders.loan.load(existing), userErrors: [] };
  }
  const product = await findProductByCode(ctx.db, input.productCode.trim().toUpperCase());
  if (!product) return { loan: null, userErrors: [{ field: 'productCode', code: 'PRODUCT_NOT_FOUND', message: `No product ${input.productCode}` }] };
  const result = validateApplication(input, productTermsOf(product));
  if (!result.ok) return { loan: null, userErrors: result.errors };
  const customer = await findCustomerReplica(ctx.db, input.customerId);
  if (!customer) return { loan: null, userErrors: [{ field: 'customerId', code: 'CUSTOMER_NOT_FOUND', message: `No customer with id ${input.customerId}` }] };
  const a = result.value;
  const id = uuidv7();
  const officerId = input.officerId ?? identity.userId;
  await ctx.db.transaction().execute(async (tx) => {
    await insertLoan(tx, {
      id,
      customer_id: customer.id,
      product_code: product.code,
      product_id: product.id,
      status: 'APPLIED',
      principal: moneyString(a.principal),
      currency: product.currency,
      annual_rate: a.annualRate.toFixed(6),
      term_months: a.termMonths,
      term_count: a.termCount,
      purpose: a.purpose,
      officer_id: officerId,
      branch_id: customer.branch_id,
      applied_at: ctx.now(),
      idempotency_key: input.idempotencyKey ?? null,
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
        principal: moneyString(a.principal),
        currency: product.currency,
        termCount: a.termCount,
        officerId,
        purpose: a.purpose,
      },
    });
  });
  return { loan: await ctx.loaders.loan.load(id), userErrors: [] };
};
