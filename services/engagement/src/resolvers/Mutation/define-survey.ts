import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { defineSurvey as run } from '../../commands/define-survey.ts';

export const defineSurvey: MutationResolvers['defineSurvey'] = (_parent, { input }, ctx) => run(ctx, input);
