import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { answerEnquiry as run } from '../../commands/answer-enquiry.ts';

export const answerEnquiry: MutationResolvers['answerEnquiry'] = (_parent, { input }, ctx) => run(ctx, input);
