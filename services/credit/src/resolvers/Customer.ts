import { nestedConnection, requireIdentity } from '@crm/service-kit';
import type { CustomerResolvers } from '../__generated__/resolvers-types.ts';

export const Customer: CustomerResolvers = {
  __resolveReference: (ref) => ({ id: ref.id }),
  /** Deprecated (every loan at once): kept for the clients that select it; see loanConnection. */
  loans: (customer, _args, ctx) => {
    requireIdentity(ctx);
    return ctx.loaders.loansOfCustomer.load(customer.id);
  },
  loanConnection: (customer, args, ctx) => {
    requireIdentity(ctx);
    return nestedConnection(ctx.loaders.pages.loansOfCustomer, ctx.loaders.pages.loanCount, customer.id, args);
  },
  /** Deprecated (every warning at once): see riskWarningConnection. */
  riskWarnings: (customer, { openOnly }, ctx) => {
    requireIdentity(ctx);
    return ctx.loaders.warningsOf.load(`customer:${customer.id}:${openOnly ?? true}`);
  },
  riskWarningConnection: (customer, { openOnly, ...args }, ctx) => {
    requireIdentity(ctx);
    const open = openOnly ?? true;
    return nestedConnection(ctx.loaders.pages.warnings('customer', open), ctx.loaders.pages.warningCount('customer', open), customer.id, args);
  },
};
