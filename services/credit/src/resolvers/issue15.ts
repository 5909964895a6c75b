import { byKey, groupedBy, pageSize, requireIdentity, toConnection, withCount } from '@crm/service-kit';
import DataLoader from 'dataloader';
import type {
  CrisisMeasureLoanResolvers,
  CrisisMeasureResolvers,
  CustomerResolvers,
  LoanPricingResolvers,
  LoanResolvers,
  LoyaltyRateDiscountResolvers,
  QueryResolvers,
  RestructuringResolvers,
  RiskWarningResolvers,
} from '../__generated__/resolvers-types.ts';
import type { CreditContext } from '../context.ts';
import type { CrisisScopeJson } from '../db/crisis.schema.ts';
import {
  type CrisisEffectRow,
  countCrisisMeasures,
  countMeasureLoans,
  findCrisisMeasuresByIds,
  findMeasureEffects,
  findMeasureLoansPage,
  listCrisisMeasures,
  previewCrisisScope,
} from '../db/crisis.store.ts';
import { findCustomerTiers } from '../db/tier-replica.store.ts';
import { amountScale, Money, moneyString } from '../domain/money.ts';

/**
 * Resolvers of issue 15 in credit: loyalty pricing (Loan.pricing, Customer.loyaltyRateDiscount),
 * crisis measures (queries and types) and risk-warning outcomes. Per-request loaders are kept
 * beside the request's context (one batched statement per field per request).
 */

const perRequest = new WeakMap<CreditContext, ReturnType<typeof makeLoaders>>();

function makeLoaders(ctx: CreditContext) {
  return {
    tier: new DataLoader(async (customerIds: readonly string[]) =>
      byKey(customerIds, await findCustomerTiers(ctx.db, ctx.scope, customerIds), (t) => t.customer_id),
    ),
    measure: new DataLoader(async (ids: readonly string[]) => byKey(ids, await findCrisisMeasuresByIds(ctx.db, ctx.scope, ids), (m) => m.id)),
    effects: new DataLoader(async (ids: readonly string[]) => groupedBy(ids, await findMeasureEffects(ctx.db, ctx.scope, ids), (e) => e.measure_id)),
  };
}

function loadersOf(ctx: CreditContext) {
  let l = perRequest.get(ctx);
  if (!l) {
    l = makeLoaders(ctx);
    perRequest.set(ctx, l);
  }
  return l;
}

const amount = (e: Pick<CrisisEffectRow, 'currency' | 'loans' | 'principal_affected' | 'amount_deferred' | 'penalties_waived'>) => {
  const scale = amountScale(e.currency);
  return {
    currency: e.currency,
    loans: e.loans,
    principalAffected: moneyString(e.principal_affected, scale),
    amountDeferred: moneyString(e.amount_deferred, scale),
    penaltiesWaived: moneyString(e.penalties_waived, scale),
  };
};

export const issue15Query: Pick<QueryResolvers, 'crisisMeasure' | 'crisisMeasures'> = {
  crisisMeasure: (_parent, { id }, ctx) => {
    requireIdentity(ctx);
    return loadersOf(ctx).measure.load(id);
  },
  crisisMeasures: async (_parent, { filter, first, after }, ctx) => {
    requireIdentity(ctx);
    const size = pageSize(first);
    const f = filter ?? {};
    const rows = await listCrisisMeasures(ctx.db, ctx.scope, f, { limit: size + 1, after: after ?? null });
    return withCount(
      toConnection(rows, size, (m) => [m.id]),
      () => countCrisisMeasures(ctx.db, ctx.scope, f),
    );
  },
};

const scopeOut = (s: CrisisScopeJson) => ({
  branchIds: s.branchIds,
  regions: s.regions,
  industries: s.industries,
  customerKinds: s.customerKinds.filter((k): k is 'INDIVIDUAL' | 'ENTERPRISE' => k === 'INDIVIDUAL' || k === 'ENTERPRISE'),
  customerIds: s.customerIds,
});

export const CrisisMeasure: CrisisMeasureResolvers = {
  scope: (m) => scopeOut(m.scope),
  effectiveOn: (m) => m.effective_on,
  waiverFrom: (m) => m.waiver_from,
  waiverTo: (m) => m.waiver_to,
  declaredBy: (m) => m.declared_by,
  declaredAt: (m) => m.declared_at,
  decidedBy: (m) => m.decided_by,
  decidedAt: (m) => m.decided_at,
  inScope: async (m, _args, ctx) => {
    if (m.status === 'REJECTED') return [];
    const preview = await previewCrisisScope(ctx.db, ctx.scope, m.scope);
    return preview.map((p) =>
      amount({
        currency: p.currency,
        loans: p.loans,
        principal_affected: p.principal.reduce((s, x) => s.plus(x), new Money(0)).toFixed(),
        amount_deferred: '0',
        penalties_waived: '0',
      }),
    );
  },
  effect: async (m, _args, ctx) => {
    if (m.status !== 'APPROVED') return null;
    const rows = await loadersOf(ctx).effects.load(m.id);
    return { loansAffected: m.loans_affected, loansSkipped: m.loans_skipped, byCurrency: rows.map(amount) };
  },
  loans: async (m, { status, first, after }, ctx) => {
    const size = pageSize(first);
    const rows = await findMeasureLoansPage(ctx.db, ctx.scope, m.id, status ?? null, { limit: size + 1, after: after ?? null });
    return withCount(
      toConnection(rows, size, (r) => [r.loan_id]),
      () => countMeasureLoans(ctx.db, ctx.scope, m.id, status ?? null),
    );
  },
};

const money = (value: string, currency: string) => ({ amount: moneyString(value, amountScale(currency)), currency });

export const CrisisMeasureLoan: CrisisMeasureLoanResolvers = {
  loan: (r, _args, ctx) => ctx.loaders.loan.load(r.loan_id),
  skipReason: (r) => r.skip_reason,
  outstandingPrincipal: (r) => money(r.outstanding_principal, r.currency),
  amountDeferred: (r) => money(r.amount_deferred, r.currency),
  penaltyWaived: (r) => money(r.penalty_waived, r.currency),
  restructuringId: (r) => r.restructuring_id,
  fromVersion: (r) => r.from_version,
  toVersion: (r) => r.to_version,
};

export const LoanPricing: LoanPricingResolvers = {
  baseAnnualRate: (l) => l.base_annual_rate ?? l.annual_rate,
  loyaltyTier: (l) => l.pricing_tier,
  tierDiscountBps: (l) => l.rate_discount_bps ?? 0,
  discountApplied: (l) => l.rate_discount ?? '0',
  floorRate: (l) => l.floor_rate ?? '0',
  annualRate: (l) => new Money(l.base_annual_rate ?? l.annual_rate).minus(l.rate_discount ?? 0).toFixed(6),
};

export const LoyaltyRateDiscount: LoyaltyRateDiscountResolvers = {
  rateDiscountBps: (t) => t.rate_discount_bps,
  tierEffectiveOn: (t) => t.tier_effective_on,
};

export const loanPricing: Pick<LoanResolvers, 'pricing'> = {
  pricing: (l) => (l.base_annual_rate === null ? null : l),
};

export const customerRateDiscount: Pick<CustomerResolvers, 'loyaltyRateDiscount'> = {
  loyaltyRateDiscount: (c, _args, ctx) => {
    requireIdentity(ctx);
    return loadersOf(ctx).tier.load(c.id);
  },
};

export const warningOutcome: Pick<RiskWarningResolvers, 'outcome' | 'outcomeRecordedBy' | 'outcomeRecordedAt' | 'resolvedBefore30Dpd'> = {
  outcome: (w) => w.outcome,
  outcomeRecordedBy: (w) => w.outcome_recorded_by,
  outcomeRecordedAt: (w) => w.outcome_recorded_at,
  resolvedBefore30Dpd: (w) => w.resolved_before_30_dpd,
};

export const restructuringMeasure: Pick<RestructuringResolvers, 'crisisMeasureId'> = {
  crisisMeasureId: (r) => r.crisis_measure_id ?? null,
};
