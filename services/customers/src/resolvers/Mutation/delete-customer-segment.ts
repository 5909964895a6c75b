import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { deleteSegment } from '../../db/segment.store.ts';
import { segmentNotFound } from '../../domain/segment-rule.ts';

export const deleteCustomerSegment: MutationResolvers['deleteCustomerSegment'] = async (_parent, { input }, ctx) => {
  const deleted = await deleteSegment(ctx.db, input.id);
  return deleted ? { deletedId: input.id, userErrors: [] } : { deletedId: null, userErrors: [segmentNotFound] };
};
