import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { recordVisitOutcome as run } from '../../commands/record-visit-outcome.ts';

export const recordVisitOutcome: MutationResolvers['recordVisitOutcome'] = (_parent, { input }, ctx) => run(ctx, input);
