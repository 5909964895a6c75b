import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { changeComplaintStatus as run } from '../../commands/change-complaint-status.ts';

export const changeComplaintStatus: MutationResolvers['changeComplaintStatus'] = (_parent, { input }, ctx) => run(ctx, input);
