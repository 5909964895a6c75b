import { nestedConnection, requireIdentity } from '@crm/service-kit';
import type { ChurnRiskResolvers, CustomerResolvers } from '../__generated__/resolvers-types.ts';

export const Customer: CustomerResolvers = {
  __resolveReference: (ref) => ({ id: ref.id }),
  interactions: (customer, args, ctx) => {
    requireIdentity(ctx);
    return nestedConnection(ctx.loaders.interactionsOfCustomer, ctx.loaders.interactionCount, customer.id, args);
  },
  tasks: (customer, { status, ...args }, ctx) => {
    requireIdentity(ctx);
    return nestedConnection(ctx.loaders.tasksOfCustomer(status ?? null), ctx.loaders.taskCount(status ?? null), customer.id, args);
  },
  complaints: (customer, args, ctx) => {
    requireIdentity(ctx);
    return nestedConnection(ctx.loaders.complaintsOfCustomer, ctx.loaders.complaintCount, customer.id, args);
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
