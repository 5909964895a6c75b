import { countedConnection, decodeCursor, pageSize, toConnection } from '@crm/service-kit';
import { GraphQLScalarType, valueFromASTUntyped } from 'graphql';
import type { CustomerSegmentConnectionResolvers, CustomerSegmentResolvers } from '../__generated__/resolvers-types.ts';
import type { CustomersContext } from '../context.ts';
import { countCustomers, listCustomers } from '../db/customer.store.ts';
import type { SegmentRow } from '../db/schema.ts';
import { customerCriteria } from './criteria.ts';

/** A segment rule travels as plain JSON; the domain validates it on save. */
export const CustomerSegmentRule = new GraphQLScalarType({
  name: 'CustomerSegmentRule',
  description: 'A segment rule as JSON data.',
  serialize: (value: unknown) => value,
  parseValue: (value: unknown) => value,
  parseLiteral: (ast, variables) => valueFromASTUntyped(ast, variables),
});

const membersOf = (segment: SegmentRow, ctx: CustomersContext) => customerCriteria({ segmentId: segment.id }, ctx);

export const CustomerSegment: CustomerSegmentResolvers = {
  createdBy: (s) => s.created_by,
  createdAt: (s) => s.created_at,
  updatedAt: (s) => s.updated_at,
  /** Members within the caller's scope. */
  customerCount: async (s, _args, ctx) => countCustomers(ctx.db, ctx.scope, await membersOf(s, ctx)),
  members: async (s, { first, after }, ctx) => {
    const size = pageSize(first);
    const afterId = after ? String(decodeCursor(after, 1)[0]) : undefined;
    const criteria = await membersOf(s, ctx);
    const rows = await listCustomers(ctx.db, ctx.scope, criteria, { limit: size + 1, afterId });
    for (const row of rows) ctx.loaders.customer.prime(row.id, row);
    return { ...toConnection(rows, size, (r) => [r.id]), filter: criteria, scope: ctx.scope };
  },
};

export const CustomerSegmentConnection: CustomerSegmentConnectionResolvers = countedConnection;
