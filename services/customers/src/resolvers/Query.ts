import { decodeCursor, pageSize, requireIdentity, toConnection } from '@crm/service-kit';
import type { QueryResolvers } from '../__generated__/resolvers-types.ts';
import { listCustomers } from '../db/customer.store.ts';
import { changeCursor } from '../db/history.store.ts';
import { findGradeThresholds } from '../db/policy.store.ts';
import { listSegments } from '../db/segment.store.ts';
import { requireCustomerStaff } from './access.ts';
import { customerCriteria } from './criteria.ts';

export const Query: QueryResolvers = {
  customer: (_parent, { id }, ctx) => {
    requireIdentity(ctx);
    return ctx.loaders.customer.load(id);
  },
  customers: async (_parent, { filter, first, after }, ctx) => {
    requireIdentity(ctx);
    const size = pageSize(first);
    const afterId = after ? String(decodeCursor(after, 1)[0]) : undefined;
    const criteria = await customerCriteria(filter ?? {}, ctx);
    const rows = await listCustomers(ctx.db, criteria, { limit: size + 1, afterId });
    for (const row of rows) ctx.loaders.customer.prime(row.id, row);
    return { ...toConnection(rows, size, (r) => [r.id]), filter: criteria };
  },
  customerHistory: async (_parent, { customerId, first, after }, ctx) => {
    requireCustomerStaff(ctx);
    const size = pageSize(first);
    const rows = await ctx.loaders.changesOfCustomer(customerId, { limit: size + 1, after: after ?? null });
    return toConnection(rows, size, changeCursor);
  },
  segments: (_parent, _args, ctx) => {
    requireIdentity(ctx);
    return listSegments(ctx.db);
  },
  segment: (_parent, { id }, ctx) => {
    requireIdentity(ctx);
    return ctx.loaders.segment.load(id);
  },
  customerGradeThresholds: (_parent, _args, ctx) => {
    requireIdentity(ctx);
    return findGradeThresholds(ctx.db);
  },
  customerPolicy: (_parent, _args, ctx) => {
    requireIdentity(ctx);
    return ctx.loaders.policy();
  },
};
