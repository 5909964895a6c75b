import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { cancelConsultation as run } from '../../commands/cancel-consultation.ts';

export const cancelConsultation: MutationResolvers['cancelConsultation'] = (_parent, { input }, ctx) => run(ctx, input);
