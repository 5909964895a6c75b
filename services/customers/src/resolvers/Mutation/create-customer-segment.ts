import { requireIdentity } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { defineSegment } from '../../commands/define-segment.ts';

/** Saves a named segment once its rule is valid (unknown attribute, wrong value type... -> userErrors). */
export const createCustomerSegment: MutationResolvers['createCustomerSegment'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  const { segmentId, userErrors } = await defineSegment(ctx, identity, input);
  if (segmentId === null) return { segment: null, userErrors };
  return { segment: await ctx.loaders.segment.load(segmentId), userErrors: [] };
};
