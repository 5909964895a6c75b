import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { handOverEnquiry as run } from '../../commands/hand-over-enquiry.ts';

export const handOverEnquiry: MutationResolvers['handOverEnquiry'] = (_parent, { input }, ctx) => run(ctx, input);
