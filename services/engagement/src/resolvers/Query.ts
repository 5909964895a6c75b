import { badUserInput, findAuditTrail, findJobRuns, isCalendarDate, pageSize, requireIdentity, toConnection } from '@crm/service-kit';
import type { QueryResolvers } from '../__generated__/resolvers-types.ts';
import { findCareEvents, findGreetings } from '../db/care.store.ts';
import { findChurnWeights } from '../db/churn.store.ts';
import { findComplaintInScope, findComplaintSlas, findComplaints } from '../db/complaint.store.ts';
import { findInteractions, interactionCursor } from '../db/interaction.store.ts';
import { findIntegerSetting, SETTING_POST_LOAN_VISIT_DAYS } from '../db/setting.store.ts';
import { aggregateSurveyResults, findDispatches, findSurveys } from '../db/survey.store.ts';
import { findTaskInScope, findTasks, findWorklist, worklistCursor } from '../db/task.store.ts';
import { DEFAULT_POST_LOAN_VISIT_DAYS } from '../domain/tasks.ts';

export const Query: QueryResolvers = {
  task: (_parent, { id }, ctx) => {
    requireIdentity(ctx);
    return findTaskInScope(ctx.db, ctx.scope, id).then((t) => t ?? null);
  },
  interactions: async (_parent, { filter, first, after }, ctx) => {
    requireIdentity(ctx);
    const size = pageSize(first);
    const rows = await findInteractions(ctx.db, ctx.scope, filter ?? {}, { limit: size + 1, after: after ?? null });
    return toConnection(rows, size, interactionCursor);
  },
  tasks: async (_parent, { filter, first, after }, ctx) => {
    requireIdentity(ctx);
    const size = pageSize(first);
    const rows = await findTasks(ctx.db, ctx.scope, filter ?? {}, { limit: size + 1, after: after ?? null }, ctx.now());
    return toConnection(rows, size, (r) => [r.id]);
  },
  worklist: async (_parent, { assigneeId, first, after }, ctx) => {
    requireIdentity(ctx);
    const size = pageSize(first);
    const { rows, now } = await findWorklist(ctx.db, ctx.scope, assigneeId, { limit: size + 1, after: after ?? null }, ctx.now());
    return toConnection(rows, size, worklistCursor(now));
  },
  engagementAuditTrail: (_parent, { filter, first, after }, ctx) => findAuditTrail(ctx.db, filter ?? {}, { first, after: after ?? null }),
  engagementJobRuns: (_parent, { job, first, after }, ctx) => findJobRuns(ctx.db, { job }, { first, after: after ?? null }),
  engagementSettings: async (_parent, _args, ctx) => {
    requireIdentity(ctx);
    return { postLoanVisitDays: await findIntegerSetting(ctx.db, SETTING_POST_LOAN_VISIT_DAYS, DEFAULT_POST_LOAN_VISIT_DAYS) };
  },
  complaint: (_parent, { id }, ctx) => {
    requireIdentity(ctx);
    return findComplaintInScope(ctx.db, ctx.scope, id).then((c) => c ?? null);
  },
  complaints: async (_parent, { filter, first, after }, ctx) => {
    requireIdentity(ctx);
    const size = pageSize(first);
    const rows = await findComplaints(ctx.db, ctx.scope, filter ?? {}, { limit: size + 1, after: after ?? null });
    return toConnection(rows, size, (r) => [r.id]);
  },
  complaintSlas: (_parent, _args, ctx) => {
    requireIdentity(ctx);
    return findComplaintSlas(ctx.db);
  },
  surveys: async (_parent, { first, after }, ctx) => {
    requireIdentity(ctx);
    const size = pageSize(first);
    return toConnection(await findSurveys(ctx.db, { limit: size + 1, after: after ?? null }), size, (r) => [r.id]);
  },
  surveyDispatches: async (_parent, { filter, first, after }, ctx) => {
    requireIdentity(ctx);
    const size = pageSize(first);
    return toConnection(await findDispatches(ctx.db, ctx.scope, filter ?? {}, { limit: size + 1, after: after ?? null }), size, (r) => [r.id]);
  },
  surveyResults: async (_parent, { filter }, ctx) => {
    requireIdentity(ctx);
    for (const field of ['from', 'to'] as const) {
      const value = filter[field];
      if (value && !isCalendarDate(value)) throw badUserInput(`${field} must be a date YYYY-MM-DD`, `filter.${field}`);
    }
    const rows = await aggregateSurveyResults(ctx.db, ctx.scope, filter);
    return rows.map((r) => ({
      key: r.key,
      responses: r.responses,
      npsResponses: r.nps_responses,
      promoters: r.promoters,
      passives: r.passives,
      detractors: r.detractors,
      nps: r.nps,
      csatResponses: r.csat_responses,
      averageCsat: r.average_csat,
    }));
  },
  careGreetings: async (_parent, { filter, first, after }, ctx) => {
    requireIdentity(ctx);
    if (filter?.occasionOn && !isCalendarDate(filter.occasionOn)) throw badUserInput('occasionOn must be a date YYYY-MM-DD', 'filter.occasionOn');
    const size = pageSize(first);
    const rows = await findGreetings(ctx.db, ctx.scope, filter ?? {}, { limit: size + 1, after: after ?? null });
    return toConnection(rows, size, (r) => [r.occasion_on, r.id]);
  },
  careEvents: async (_parent, { first, after }, ctx) => {
    requireIdentity(ctx);
    const size = pageSize(first);
    const rows = await findCareEvents(ctx.db, ctx.scope, { limit: size + 1, after: after ?? null });
    return toConnection(rows, size, (r) => [r.starts_at.toISOString(), r.id]);
  },
  churnSignalWeights: (_parent, _args, ctx) => {
    requireIdentity(ctx);
    return findChurnWeights(ctx.db);
  },
};
