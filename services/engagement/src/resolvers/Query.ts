import {
  badUserInput,
  checkKpiRequest,
  findAuditTrail,
  findJobRuns,
  isCalendarDate,
  type KpiSqlRow,
  kpiRows,
  pageSize,
  requireIdentity,
  toConnection,
  withCount,
} from '@crm/service-kit';
import type { QueryResolvers } from '../__generated__/resolvers-types.ts';
import { findCareEvents, findGreetings } from '../db/care.store.ts';
import { churnScoreCursor, countChurnScores, findChurnScores, findChurnWeights } from '../db/churn.store.ts';
import { countComplaints, findComplaintInScope, findComplaintSlas, findComplaints } from '../db/complaint.store.ts';
import { countInteractions, findInteractions, interactionCursor } from '../db/interaction.store.ts';
import * as kpi from '../db/kpi.store.ts';
import { leadConversionRate } from '../db/lead.store.ts';
import { atRiskGradeSaveRate, offerAcceptanceRate, retentionSaveRate } from '../db/offer-kpi.store.ts';
import { findIntegerSetting, SETTING_POST_LOAN_VISIT_DAYS } from '../db/setting.store.ts';
import { aggregateSurveyResults, countSurveyResponses, findDispatches, findSurveyResponses, findSurveys, responseCursor } from '../db/survey.store.ts';
import { countTasks, countWorklist, findTaskInScope, findTasks } from '../db/task.store.ts';
import { findWorklist, worklistCursor } from '../db/worklist.store.ts';
import { ENGAGEMENT_KPIS, type EngagementKpiMetric } from '../domain/kpis.ts';
import { DEFAULT_POST_LOAN_VISIT_DAYS } from '../domain/tasks.ts';
import { listArgs, listConnection } from './feed.ts';
import { primeRanks } from './ServiceLevels.ts';

/** The SQL of each KPI (db/kpi.store.ts); formulas in domain/kpis.ts. */
const KPI_SQL: Record<EngagementKpiMetric, (db: Parameters<typeof kpi.nps>[0], q: kpi.KpiQuery) => Promise<KpiSqlRow[]>> = {
  CHURN_RATE: kpi.churnRate,
  RETENTION_RATE: kpi.retentionRate,
  COMPLAINT_SLA_COMPLIANCE: kpi.complaintSlaCompliance,
  COMPLAINT_RESOLUTION_HOURS: kpi.complaintResolutionHours,
  TASK_COMPLETION_RATE: kpi.taskCompletionRate,
  TASK_OVERDUE_RATE: kpi.taskOverdueRate,
  NPS: kpi.nps,
  CSAT: kpi.csat,
  LEAD_CONVERSION_RATE: leadConversionRate,
  OFFER_ACCEPTANCE_RATE: offerAcceptanceRate,
  AT_RISK_GRADE_SAVE_RATE: atRiskGradeSaveRate,
  RETENTION_SAVE_RATE: retentionSaveRate,
};

export const Query: QueryResolvers = {
  task: (_parent, { id }, ctx) => {
    requireIdentity(ctx);
    return findTaskInScope(ctx.db, ctx.scope, id).then((t) => t ?? null);
  },
  interactions: async (_parent, args, ctx) => {
    requireIdentity(ctx);
    const { size, page, since } = listArgs(args);
    const filter = args.filter ?? {};
    const rows = await findInteractions(ctx.db, ctx.scope, filter, page);
    return withCount(listConnection(rows, size, args.changedSince, interactionCursor), () => countInteractions(ctx.db, ctx.scope, filter, since));
  },
  tasks: async (_parent, args, ctx) => {
    requireIdentity(ctx);
    const { size, page, since } = listArgs(args);
    const filter = args.filter ?? {};
    const now = ctx.now();
    const rows = await findTasks(ctx.db, ctx.scope, filter, page, now);
    return withCount(
      listConnection(rows, size, args.changedSince, (r) => [r.id]),
      () => countTasks(ctx.db, ctx.scope, filter, since, now),
    );
  },
  worklist: async (_parent, { assigneeId, first, after }, ctx) => {
    requireIdentity(ctx);
    const size = pageSize(first);
    // ranked by the six factors of domain/worklist.ts; each row carries its rank (Task.worklistRank)
    const rows = await findWorklist(ctx.db, ctx.scope, assigneeId, { limit: size + 1, after: after ?? null }, ctx.now());
    primeRanks(ctx, rows);
    return withCount(toConnection(rows, size, worklistCursor), () => countWorklist(ctx.db, ctx.scope, assigneeId));
  },
  surveyResponses: async (_parent, args, ctx) => {
    requireIdentity(ctx);
    const { size, page, since } = listArgs(args);
    const filter = args.filter ?? {};
    const rows = await findSurveyResponses(ctx.db, ctx.scope, filter, page);
    return withCount(listConnection(rows, size, args.changedSince, responseCursor), () => countSurveyResponses(ctx.db, ctx.scope, filter, since));
  },
  churnScores: async (_parent, args, ctx) => {
    requireIdentity(ctx);
    const { size, page, since } = listArgs(args);
    const filter = args.filter ?? {};
    const rows = await findChurnScores(ctx.db, ctx.scope, filter, page);
    return withCount(listConnection(rows, size, args.changedSince, churnScoreCursor), () => countChurnScores(ctx.db, ctx.scope, filter, since));
  },
  engagementKpi: async (_parent, { metric, groupBy, from, to }, ctx) => {
    requireIdentity(ctx);
    const definition = ENGAGEMENT_KPIS[metric];
    const dimensions = checkKpiRequest(definition, { groupBy, from, to });
    const rows = await KPI_SQL[metric](ctx.db, { groupBy: dimensions, from, to, scope: ctx.scope, now: ctx.now() });
    return kpiRows(definition, dimensions, rows);
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
  complaints: async (_parent, args, ctx) => {
    requireIdentity(ctx);
    const { size, page, since } = listArgs(args);
    const filter = args.filter ?? {};
    const rows = await findComplaints(ctx.db, ctx.scope, filter, page);
    return withCount(
      listConnection(rows, size, args.changedSince, (r) => [r.id]),
      () => countComplaints(ctx.db, ctx.scope, filter, since),
    );
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
