import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { dispatchSurvey as run } from '../../commands/dispatch-survey.ts';

export const dispatchSurvey: MutationResolvers['dispatchSurvey'] = (_parent, { input }, ctx) => run(ctx, input);
