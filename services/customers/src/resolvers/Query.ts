import { decodeCursor, pageSize, requireIdentity, toConnection } from '@crm/service-kit';
import type { QueryResolvers } from '../__generated__/resolvers-types.ts';
import { listCustomers } from '../db/customer.store.ts';

export const Query: QueryResolvers = {
  customer: (_parent, { id }, ctx) => {
    requireIdentity(ctx);
    return ctx.loaders.customer.load(id);
  },
  customers: async (_parent, { filter, first, after }, ctx) => {
    requireIdentity(ctx);
    const size = pageSize(first);
    const afterId = after ? String(decodeCursor(after, 1)[0]) : undefined;
    const where = filter ?? {};
    const rows = await listCustomers(ctx.db, where, { limit: size + 1, afterId });
    for (const row of rows) ctx.loaders.customer.prime(row.id, row);
    return { ...toConnection(rows, size, (r) => [r.id]), filter: where };
  },
};
