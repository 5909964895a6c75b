import { pageSize, requireIdentity, toConnection } from '@crm/service-kit';
import type { ChurnRiskResolvers, CustomerResolvers } from '../__generated__/resolvers-types.ts';
import { interactionCursor } from '../db/interaction.store.ts';

export const Customer: CustomerResolvers = {
  __resolveReference: (ref) => ({ id: ref.id }),
  interactions: async (customer, { first, after }, ctx) => {
    requireIdentity(ctx);
    const size = pageSize(first);
    const rows = await ctx.loaders.interactionsOfCustomer(customer.id, { limit: size + 1, after: after ?? null });
    return toConnection(rows, size, interactionCursor);
  },
  tasks: async (customer, { first, after, status }, ctx) => {
    requireIdentity(ctx);
    const size = pageSize(first);
    const rows = await ctx.loaders.tasksOfCustomer(status ?? null)(customer.id, { limit: size + 1, after: after ?? null });
    return toConnection(rows, size, (r) => [r.id]);
  },
  complaints: async (customer, { first, after }, ctx) => {
    requireIdentity(ctx);
    const size = pageSize(first);
    const rows = await ctx.loaders.complaintsOfCustomer(customer.id, { limit: size + 1, after: after ?? null });
    return toConnection(rows, size, (r) => [r.id]);
  },
  churnRisk: (customer, _args, ctx) => {
    requireIdentity(ctx);
    return ctx.loaders.churnRisk.load(customer.id);
  },
};

export const ChurnRisk: ChurnRiskResolvers = {
  asOf: (r) => r.as_of,
};
