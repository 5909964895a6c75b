import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { setBusinessDate as setBusinessDateCommand } from '../../commands/set-business-date.ts';

/** Sets the business date (outside production). */
export const setBusinessDate: MutationResolvers['setBusinessDate'] = (_parent, { input }, ctx) => setBusinessDateCommand(ctx, input);
