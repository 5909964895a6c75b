import { pageSize, requireIdentity, toConnection, withCount } from '@crm/service-kit';
import type { ChurnRiskResolvers, CustomerResolvers } from '../__generated__/resolvers-types.ts';
import { interactionCursor } from '../db/interaction.store.ts';

export const Customer: CustomerResolvers = {
  __resolveReference: (ref) => ({ id: ref.id }),
  interactions: async (customer, { first, after }, ctx) => {
    requireIdentity(ctx);
    const size = pageSize(first);
    const rows = await ctx.loaders.interactionsOfCustomer(customer.id, { limit: size + 1, after: after ?? null });
    return withCount(toConnection(rows, size, interactionCursor), () => ctx.loaders.interactionCount.load(customer.id));
  },
  tasks: async (customer, { first, after, status }, ctx) => {
    requireIdentity(ctx);
    const size = pageSize(first);
    const rows = await ctx.loaders.tasksOfCustomer(status ?? null)(customer.id, { limit: size + 1, after: after ?? null });
    return withCount(
      toConnection(rows, size, (r) => [r.id]),
      () => ctx.loaders.taskCount(status ?? null).load(customer.id),
    );
  },
  complaints: async (customer, { first, after }, ctx) => {
    requireIdentity(ctx);
    const size = pageSize(first);
    const rows = await ctx.loaders.complaintsOfCustomer(customer.id, { limit: size + 1, after: after ?? null });
    return withCount(
      toConnection(rows, size, (r) => [r.id]),
      () => ctx.loaders.complaintCount.load(customer.id),
    );
  },
  churnRisk: (customer, _args, ctx) => {
    requireIdentity(ctx);
    return ctx.loaders.churnRisk.load(customer.id);
  },
};

export const ChurnRisk: ChurnRiskResolvers = {
  customer: (r) => ({ id: r.customer_id }),
  asOf: (r) => r.as_of,
  computedAt: (r) => r.computed_at,
};
