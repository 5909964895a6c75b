import { requireIdentity, requireRole } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { findProductByCode, insertProduct } from '../../db/product.store.ts';
import { validateProduct } from '../../domain/loans.ts';

export const createLoanProduct: MutationResolvers['createLoanProduct'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'administrator');
  const result = validateProduct(input);
  if (!result.ok) return { product: null, userErrors: result.errors };
  const p = result.value;
  if (await findProductByCode(ctx.db, p.code)) {
    return { product: null, userErrors: [{ field: 'code', code: 'DUPLICATE_CODE', message: `A product ${p.code} already exists` }] };
  }
  const id = uuidv7();
  await insertProduct(ctx.db, {
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
  });
  return { product: await ctx.loaders.product.load(id), userErrors: [] };
};
