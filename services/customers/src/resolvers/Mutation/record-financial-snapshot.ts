import { requireIdentity } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { recordFinancialSnapshot as command } from '../../commands/record-financial-snapshot.ts';

export const recordFinancialSnapshot: MutationResolvers['recordFinancialSnapshot'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  const { snapshot, userErrors } = await command(ctx, identity, input);
  if (!snapshot) return { snapshot: null, customer: null, userErrors };
  ctx.loaders.customer.clear(snapshot.customer_id);
  return { snapshot, customer: await ctx.loaders.customer.load(snapshot.customer_id), userErrors: [] };
};
