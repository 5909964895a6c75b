import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { changeLeadStatus as run } from '../../commands/change-lead-status.ts';

export const changeLeadStatus: MutationResolvers['changeLeadStatus'] = (_parent, { input }, ctx) => run(ctx, input);
