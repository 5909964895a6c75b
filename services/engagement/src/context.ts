import {
  byIds,
  byKey,
  createPagedLoader,
  type RequestContext,
  type Scope,
  type ServiceContext,
  type ServiceDeps,
  scopeOf,
  serviceContext,
} from '@crm/service-kit';
import DataLoader from 'dataloader';
import { countInvitationsOfEvents, findInvitationsOfEvents } from './db/care.store.ts';
import { findChurnRisks } from './db/churn.store.ts';
import {
  countComplaintsOfCustomers,
  countHistoriesOfComplaints,
  findComplaintsByIds,
  findComplaintsOfCustomers,
  findHistoriesOfComplaints,
} from './db/complaint.store.ts';
import { countInteractionsOfCustomers, findInteractionsByIds, findInteractionsOfCustomers } from './db/interaction.store.ts';
import type {
  CareEventInvitationRow,
  ChurnRiskRow,
  ComplaintHistoryRow,
  ComplaintRow,
  DB,
  InteractionRow,
  SurveyResponseRow,
  SurveyRow,
  TaskRow,
  TaskStatus,
} from './db/schema.ts';
import { countResponsesOfSurveys, findResponsesOfDispatches, findResponsesOfSurveys, findSurveysByIds } from './db/survey.store.ts';
import { countTasksOfCustomers, findTasksByIds, findTasksOfCustomers } from './db/task.store.ts';

/** What every engagement resolver receives. */
export interface EngagementContext extends ServiceContext<DB> {
  /** Which customers the caller may see and act on: every store query of customer data takes it. */
  scope: Scope;
  loaders: {
    interaction: DataLoader<string, InteractionRow | null>;
    task: DataLoader<string, TaskRow | null>;
    complaint: DataLoader<string, ComplaintRow | null>;
    historyOfComplaint: ReturnType<typeof createPagedLoader<ComplaintHistoryRow>>;
    historyCount: DataLoader<string, number>;
    survey: DataLoader<string, SurveyRow | null>;
    responseOfDispatch: DataLoader<string, SurveyResponseRow | null>;
    churnRisk: DataLoader<string, ChurnRiskRow | null>;
    invitationsOfEvent: ReturnType<typeof createPagedLoader<CareEventInvitationRow>>;
    invitationCounts: DataLoader<string, { invited: number; attended: number }>;
    responsesOfSurvey: ReturnType<typeof createPagedLoader<SurveyResponseRow>>;
    responseCount: DataLoader<string, number>;
    interactionCount: DataLoader<string, number>;
    complaintCount: DataLoader<string, number>;
    taskCount: (status: TaskStatus[] | null) => DataLoader<string, number>;
    interactionsOfCustomer: ReturnType<typeof createPagedLoader<InteractionRow>>;
    complaintsOfCustomer: ReturnType<typeof createPagedLoader<ComplaintRow>>;
    tasksOfCustomer: (status: TaskStatus[] | null) => ReturnType<typeof createPagedLoader<TaskRow>>;
  };
}

/** Counts per key, in the order asked (0 where none): the shape a DataLoader of counts needs. */
const countsOf = (keys: readonly string[], rows: readonly { key: string; n: number }[]) => {
  const byKey = new Map(rows.map((r) => [r.key, r.n]));
  return keys.map((k) => byKey.get(k) ?? 0);
};

export function createContext(base: RequestContext, deps: ServiceDeps<DB>): EngagementContext {
  const { db } = deps;
  // No identity: nothing is in scope (the access layer refuses such calls before any resolver).
  const scope: Scope = base.identity ? scopeOf(base.identity) : { kind: 'branch', branchId: null, managerId: null };
  const taskLoaders = new Map<string, ReturnType<typeof createPagedLoader<TaskRow>>>();
  const taskCounts = new Map<string, DataLoader<string, number>>();
  return {
    ...serviceContext(base, deps),
    scope,
    loaders: {
      interaction: new DataLoader(async (ids) => byIds(ids, await findInteractionsByIds(db, scope, ids))),
      task: new DataLoader(async (ids) => byIds(ids, await findTasksByIds(db, scope, ids))),
      complaint: new DataLoader(async (ids) => byIds(ids, await findComplaintsByIds(db, scope, ids))),
      historyOfComplaint: createPagedLoader(
        (ids, window) => findHistoriesOfComplaints(db, ids, window),
        (r) => r.complaint_id,
      ),
      historyCount: new DataLoader(async (ids) => countsOf(ids, await countHistoriesOfComplaints(db, ids))),
      survey: new DataLoader(async (ids) => byIds(ids, await findSurveysByIds(db, ids))),
      responseOfDispatch: new DataLoader(async (ids) => {
        const rows = await findResponsesOfDispatches(db, scope, ids);
        return byKey(ids, rows, (r) => r.dispatch_id);
      }),
      churnRisk: new DataLoader(async (ids) => {
        const rows = await findChurnRisks(db, scope, ids);
        return byKey(ids, rows, (r) => r.customer_id);
      }),
      invitationsOfEvent: createPagedLoader(
        (ids, window) => findInvitationsOfEvents(db, scope, ids, window),
        (r) => r.event_id,
      ),
      invitationCounts: new DataLoader(async (ids) => {
        const rows = await countInvitationsOfEvents(db, scope, ids);
        return ids.map((id) => rows.find((r) => r.event_id === id) ?? { invited: 0, attended: 0 });
      }),
      responsesOfSurvey: createPagedLoader(
        (ids, window) => findResponsesOfSurveys(db, scope, ids, window),
        (r) => r.survey_id,
      ),
      responseCount: new DataLoader(async (ids) => countsOf(ids, await countResponsesOfSurveys(db, scope, ids))),
      interactionCount: new DataLoader(async (ids) => countsOf(ids, await countInteractionsOfCustomers(db, scope, ids))),
      complaintCount: new DataLoader(async (ids) => countsOf(ids, await countComplaintsOfCustomers(db, scope, ids))),
      taskCount: (status) => {
        const key = status?.slice().sort().join(',') ?? '';
        let loader = taskCounts.get(key);
        if (!loader) {
          loader = new DataLoader(async (ids) => countsOf(ids, await countTasksOfCustomers(db, scope, ids, status)));
          taskCounts.set(key, loader);
        }
        return loader;
      },
      interactionsOfCustomer: createPagedLoader(
        (ids, window) => findInteractionsOfCustomers(db, scope, ids, window),
        (r) => r.customer_id,
      ),
      complaintsOfCustomer: createPagedLoader(
        (ids, window) => findComplaintsOfCustomers(db, scope, ids, window),
        (r) => r.customer_id,
      ),
      tasksOfCustomer: (status) => {
        const key = status?.slice().sort().join(',') ?? '';
        let loader = taskLoaders.get(key);
        if (!loader) {
          loader = createPagedLoader(
            (ids, window) => findTasksOfCustomers(db, scope, ids, { ...window, status }),
            (r) => r.customer_id,
          );
          taskLoaders.set(key, loader);
        }
        return loader;
      },
    },
  };
}
