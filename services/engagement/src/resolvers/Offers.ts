import { countLoader, keysetCursor, nestedConnection, pageSize, parentPagesLoader, requireIdentity, toConnection, withCount } from '@crm/service-kit';
import type { CustomerResolvers, OfferResolvers, OfferRuleResolvers, QueryResolvers, TaskResolvers } from '../__generated__/resolvers-types.ts';
import type { EngagementContext } from '../context.ts';
import { countOffers, countOffersOfCustomers, findOfferPages, findOfferRules, listOffers } from '../db/offer.store.ts';
import type { OfferStatus } from '../domain/offers.ts';

/**
 * Resolvers of next-best offers and retention outcomes (issue 15). Customer.offers is batched for
 * every customer of a request (one windowed statement per status set, one grouped count when
 * selected), through loaders kept beside the request's context.
 */

const perRequest = new WeakMap<EngagementContext, Map<string, { pages: ReturnType<typeof parentPagesLoader>; count: ReturnType<typeof countLoader> }>>();

function offerLoaders(ctx: EngagementContext, status: readonly OfferStatus[] | null) {
  let byStatus = perRequest.get(ctx);
  if (!byStatus) {
    byStatus = new Map();
    perRequest.set(ctx, byStatus);
  }
  const key = status?.slice().sort().join(',') ?? '';
  let loaders = byStatus.get(key);
  if (!loaders) {
    loaders = {
      pages: parentPagesLoader((ids, window) => findOfferPages(ctx.db, ctx.scope, ids, status, window)),
      count: countLoader((ids) => countOffersOfCustomers(ctx.db, ctx.scope, ids, status)),
    };
    byStatus.set(key, loaders);
  }
  return loaders;
}

export const offerQuery: Pick<QueryResolvers, 'offers' | 'offerRules'> = {
  offers: async (_parent, { filter, first, after }, ctx) => {
    requireIdentity(ctx);
    const size = pageSize(first);
    const f = filter ?? {};
    const rows = await listOffers(ctx.db, ctx.scope, f, { limit: size + 1, after: after ?? null, since: undefined });
    return withCount(toConnection(rows, size, keysetCursor), () => countOffers(ctx.db, ctx.scope, f));
  },
  offerRules: (_parent, _args, ctx) => {
    requireIdentity(ctx);
    return findOfferRules(ctx.db);
  },
};

export const customerOffers: Pick<CustomerResolvers, 'offers'> = {
  offers: (customer, { status, first, after }, ctx) => {
    requireIdentity(ctx);
    const loaders = offerLoaders(ctx, status ?? null);
    return nestedConnection(loaders.pages, loaders.count, customer.id, { first, after });
  },
};

export const Offer: OfferResolvers = {
  customer: (o) => ({ id: o.customer_id }),
  ruleCode: (o) => o.rule_code,
  madeOn: (o) => o.made_on,
  validUntil: (o) => o.valid_until,
  assigneeId: (o) => o.assignee_id,
  outcomeRecordedBy: (o) => o.outcome_recorded_by,
  outcomeRecordedAt: (o) => o.outcome_recorded_at,
  closedOn: (o) => o.closed_on,
  withdrawnReason: (o) => o.withdrawn_reason,
};

export const OfferRule: OfferRuleResolvers = {
  validDays: (r) => r.valid_days,
  cooldownDays: (r) => r.cooldown_days,
  updatedBy: (r) => r.updated_by,
  updatedAt: (r) => r.updated_at,
};

export const taskOutcome: Pick<TaskResolvers, 'outcome' | 'outcomeRecordedBy' | 'outcomeRecordedAt'> = {
  outcome: (t) => t.outcome ?? null,
  outcomeRecordedBy: (t) => t.outcome_recorded_by ?? null,
  outcomeRecordedAt: (t) => t.outcome_recorded_at ?? null,
};
