import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { deleteSegment } from '../../commands/delete-segment.ts';

export const deleteCustomerSegment: MutationResolvers['deleteCustomerSegment'] = async (_parent, { input }, ctx) => {
  const { userErrors } = await deleteSegment(ctx, input);
  return userErrors.length ? { deletedId: null, userErrors } : { deletedId: input.id, userErrors: [] };
};
