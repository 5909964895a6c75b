import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { updateCustomerPolicy as command } from '../../commands/update-customer-policy.ts';

/** Administrators set the stale-review period and the at-risk window (in days). */
export const updateCustomerPolicy: MutationResolvers['updateCustomerPolicy'] = async (_parent, { input }, ctx) => command(ctx, input);
