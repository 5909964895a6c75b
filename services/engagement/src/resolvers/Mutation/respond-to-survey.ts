import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { respondToSurvey as run } from '../../commands/respond-to-survey.ts';

export const respondToSurvey: MutationResolvers['respondToSurvey'] = (_parent, { input }, ctx) => run(ctx, input);
