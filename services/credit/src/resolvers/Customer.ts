import { requireIdentity } from '@crm/service-kit';
import type { CustomerResolvers } from '../__generated__/resolvers-types.ts';

export const Customer: CustomerResolvers = {
  __resolveReference: (ref) => ({ id: ref.id }),
  loans: (customer, _args, ctx) => {
    requireIdentity(ctx);
    return ctx.loaders.loansOfCustomer.load(customer.id);
  },
  riskWarnings: (customer, { openOnly }, ctx) => {
    requireIdentity(ctx);
    return ctx.loaders.warningsOf.load(`customer:${customer.id}:${openOnly ?? true}`);
  },
};
