import { nestedConnection } from '@crm/service-kit';
import type { SurveyDispatchResolvers, SurveyResolvers, SurveyResponseResolvers } from '../__generated__/resolvers-types.ts';

export const Survey: SurveyResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.survey.load(ref.id),
  createdAt: (s) => s.created_at,
  responses: (s, args, ctx) => nestedConnection(ctx.loaders.responsesOfSurvey, ctx.loaders.responseCount, s.id, args),
};

export const SurveyDispatch: SurveyDispatchResolvers = {
  survey: async (d, _args, ctx) => {
    const survey = await ctx.loaders.survey.load(d.survey_id);
    if (!survey) throw new Error(`survey ${d.survey_id} of dispatch ${d.id} is missing`);
    return survey;
  },
  customer: (d) => ({ id: d.customer_id }),
  dispatchedAt: (d) => d.dispatched_at,
  response: (d, _args, ctx) => ctx.loaders.responseOfDispatch.load(d.id),
};

export const SurveyResponse: SurveyResponseResolvers = {
  survey: async (r, _args, ctx) => {
    const survey = await ctx.loaders.survey.load(r.survey_id);
    if (!survey) throw new Error(`survey ${r.survey_id} of response ${r.id} is missing`);
    return survey;
  },
  customer: (r) => ({ id: r.customer_id }),
  dispatchId: (r) => r.dispatch_id,
  branchId: (r) => r.branch_id,
  officerId: (r) => r.officer_id,
  npsScore: (r) => r.nps_score,
  csatScore: (r) => r.csat_score,
  respondedAt: (r) => r.responded_at,
};
