import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { receiveEnquiry as run } from '../../commands/receive-enquiry.ts';

export const receiveEnquiry: MutationResolvers['receiveEnquiry'] = (_parent, { input }, ctx) => run(ctx, input);
