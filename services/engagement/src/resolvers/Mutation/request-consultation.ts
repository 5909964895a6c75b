import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { requestConsultation as run } from '../../commands/request-consultation.ts';

export const requestConsultation: MutationResolvers['requestConsultation'] = (_parent, { input }, ctx) => run(ctx, input);
