import { requireIdentity } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { registerCustomer as command } from '../../commands/register-customer.ts';

export const registerCustomer: MutationResolvers['registerCustomer'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  const result = await command(ctx, identity, input);
  if (result.customerId === null) return { customer: null, userErrors: result.userErrors };
  if (!result.replayed) ctx.logger.info({ customerId: result.customerId, kind: input.kind }, 'customer registered');
  return { customer: await ctx.loaders.customer.load(result.customerId), userErrors: [] };
};
