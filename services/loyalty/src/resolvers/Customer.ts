import { requireIdentity } from '@crm/service-kit';
import type { CustomerResolvers } from '../__generated__/resolvers-types.ts';

export const Customer: CustomerResolvers = {
  __resolveReference: (ref) => ({ id: ref.id }),
  loyalty: (customer, _args, ctx) => {
    requireIdentity(ctx);
    return ctx.loaders.accountOfCustomer.load(customer.id);
  },
};
