import { requireIdentity } from '@crm/service-kit';
import type { QueryResolvers } from '../__generated__/resolvers-types.ts';

export const Query: QueryResolvers = {
  loyaltyAccount: (_parent, { id }, ctx) => {
    requireIdentity(ctx);
    return ctx.loaders.account.load(id);
  },
};
