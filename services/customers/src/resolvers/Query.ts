import {
  auditRecordResolvers,
  decodeCursor,
  findAuditTrail,
  findJobRuns,
  forbidden,
  pageSize,
  requireIdentity,
  seesPseudonyms,
  toConnection,
} from '@crm/service-kit';
import type { QueryResolvers } from '../__generated__/resolvers-types.ts';
import { listCustomers } from '../db/customer.store.ts';
import { changeCursor } from '../db/history.store.ts';
import { listSegments } from '../db/segment.store.ts';
import { customerCriteria } from './criteria.ts';

/** Who may call each field is declared in the SDL (`@allow`); the scope limits which customers answer. */
export const Query: QueryResolvers = {
  customer: (_parent, { id }, ctx) => ctx.loaders.customer.load(id),
  customers: async (_parent, { filter, first, after }, ctx) => {
    // Analysts see pseudonyms: a name search would let them confirm who is behind one.
    if (filter?.nameContains && seesPseudonyms(requireIdentity(ctx))) throw forbidden('Searching by name is not open to your role');
    const size = pageSize(first);
    const afterId = after ? String(decodeCursor(after, 1)[0]) : undefined;
    const criteria = await customerCriteria(filter ?? {}, ctx);
    const rows = await listCustomers(ctx.db, ctx.scope, criteria, { limit: size + 1, afterId });
    for (const row of rows) ctx.loaders.customer.prime(row.id, row);
    return { ...toConnection(rows, size, (r) => [r.id]), filter: criteria, scope: ctx.scope };
  },
  customerHistory: async (_parent, { customerId, first, after }, ctx) => {
    const size = pageSize(first);
    // FORBIDDEN outside the caller's scope; an unknown customer has no history.
    const customer = await ctx.loaders.customer.load(customerId);
    if (!customer) return toConnection([], size, changeCursor);
    const rows = await ctx.loaders.changesOfCustomer(customer.id, { limit: size + 1, after: after ?? null });
    return toConnection(rows, size, changeCursor);
  },
  segments: (_parent, _args, ctx) => listSegments(ctx.db),
  segment: (_parent, { id }, ctx) => ctx.loaders.segment.load(id),
  customerGradeThresholds: (_parent, _args, ctx) => ctx.loaders.gradeThresholds(),
  customerPolicy: (_parent, _args, ctx) => ctx.loaders.policy(),
  customersAuditTrail: (_parent, { filter, first, after }, ctx) => findAuditTrail(ctx.db, filter ?? {}, { first, after: after ?? null }),
  customersJobRuns: (_parent, { job, first, after }, ctx) => findJobRuns(ctx.db, { job }, { first, after: after ?? null }),
};

export const AuditRecord = auditRecordResolvers;
