import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { setConsultationDueTime as run } from '../../commands/expert-directory.ts';

export const setConsultationDueTime: MutationResolvers['setConsultationDueTime'] = (_parent, { input }, ctx) => run(ctx, input);
