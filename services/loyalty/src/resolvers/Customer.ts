import type { CustomerResolvers } from '../__generated__/resolvers-types.ts';

export const Customer: CustomerResolvers = {
  __resolveReference: (ref) => ({ id: ref.id }),
  /** Null for a member outside the caller's branch (the loader applies the caller's scope). */
  loyalty: (customer, _args, ctx) => ctx.loaders.accountOfCustomer.load(customer.id),
};
