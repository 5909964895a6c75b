import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { receiveComplaint as run } from '../../commands/receive-complaint.ts';

export const receiveComplaint: MutationResolvers['receiveComplaint'] = (_parent, { input }, ctx) => run(ctx, input);
