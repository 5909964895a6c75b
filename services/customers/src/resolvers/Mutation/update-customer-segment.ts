import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { changeSegment } from '../../commands/change-segment.ts';

/** Renames, redescribes or changes the rule of a segment (validated like at creation). */
export const updateCustomerSegment: MutationResolvers['updateCustomerSegment'] = async (_parent, { input }, ctx) => {
  const { userErrors } = await changeSegment(ctx, input);
  if (userErrors.length) return { segment: null, userErrors };
  ctx.loaders.segment.clear(input.id);
  return { segment: await ctx.loaders.segment.load(input.id), userErrors: [] };
};
