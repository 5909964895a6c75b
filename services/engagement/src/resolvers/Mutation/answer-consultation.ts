import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { answerConsultation as run } from '../../commands/answer-consultation.ts';

export const answerConsultation: MutationResolvers['answerConsultation'] = (_parent, { input }, ctx) => run(ctx, input);
