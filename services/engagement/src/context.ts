import {
  byIds,
  byKey,
  countLoader,
  findReplicatedBusinessDate,
  type ParentPages,
  parentPagesLoader,
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
import { type NotificationsVisitsLoaders, notificationsVisitsLoaders } from './notifications-visits.loaders.ts';
import { type ServiceCentreLoaders, serviceCentreLoaders } from './service-centre.loaders.ts';

/** What every engagement resolver receives. */
export interface EngagementContext extends ServiceContext<DB> {
  /** Which customers the caller may see and act on: every store query of customer data takes it. */
  scope: Scope;
  loaders: {
    interaction: DataLoader<string, InteractionRow | null>;
    task: DataLoader<string, TaskRow | null>;
    complaint: DataLoader<string, ComplaintRow | null>;
    historyOfComplaint: ParentPages<ComplaintHistoryRow>;
    historyCount: DataLoader<string, number>;
    survey: DataLoader<string, SurveyRow | null>;
    responseOfDispatch: DataLoader<string, SurveyResponseRow | null>;
    churnRisk: DataLoader<string, ChurnRiskRow | null>;
    invitationsOfEvent: ParentPages<CareEventInvitationRow>;
    invitationCounts: DataLoader<string, { invited: number; attended: number }>;
    responsesOfSurvey: ParentPages<SurveyResponseRow>;
    responseCount: DataLoader<string, number>;
    interactionCount: DataLoader<string, number>;
    complaintCount: DataLoader<string, number>;
    taskCount: (status: TaskStatus[] | null) => DataLoader<string, number>;
    interactionsOfCustomer: ParentPages<InteractionRow>;
    complaintsOfCustomer: ParentPages<ComplaintRow>;
    tasksOfCustomer: (status: TaskStatus[] | null) => ParentPages<TaskRow>;
    /** Knowledge base, enquiries, leads, experts and consultations (issue 15). */
    serviceCentre: ServiceCentreLoaders;
    /** Notifications and visit outcomes (issue 15). */
    notificationsVisits: NotificationsVisitsLoaders;
  };
}

export function createContext(base: RequestContext, deps: ServiceDeps<DB>): EngagementContext {
  const { db } = deps;
  // No identity: nothing is in scope (the access layer refuses such calls before any resolver).
  const scope: Scope = base.identity ? scopeOf(base.identity) : { kind: 'branch', branchId: null, managerId: null };
  const taskLoaders = new Map<string, ParentPages<TaskRow>>();
  const taskCounts = new Map<string, DataLoader<string, number>>();
  const context = serviceContext(base, deps);
  return {
    ...context,
    businessDate: () => findReplicatedBusinessDate(db),
    scope,
    loaders: {
      serviceCentre: serviceCentreLoaders(db, scope, base.identity?.userId ?? '', () => context.now()),
      notificationsVisits: notificationsVisitsLoaders(db, scope),
      interaction: new DataLoader(async (ids) => byIds(ids, await findInteractionsByIds(db, scope, ids))),
      task: new DataLoader(async (ids) => byIds(ids, await findTasksByIds(db, scope, ids))),
      complaint: new DataLoader(async (ids) => byIds(ids, await findComplaintsByIds(db, scope, ids))),
      historyOfComplaint: parentPagesLoader((ids, window) => findHistoriesOfComplaints(db, ids, window)),
      historyCount: countLoader((ids) => countHistoriesOfComplaints(db, ids)),
      survey: new DataLoader(async (ids) => byIds(ids, await findSurveysByIds(db, ids))),
      responseOfDispatch: new DataLoader(async (ids) => {
        const rows = await findResponsesOfDispatches(db, scope, ids);
        return byKey(ids, rows, (r) => r.dispatch_id);
      }),
      churnRisk: new DataLoader(async (ids) => {
        const rows = await findChurnRisks(db, scope, ids);
        return byKey(ids, rows, (r) => r.customer_id);
      }),
      invitationsOfEvent: parentPagesLoader((ids, window) => findInvitationsOfEvents(db, scope, ids, window)),
      invitationCounts: new DataLoader(async (ids) => {
        const rows = await countInvitationsOfEvents(db, scope, ids);
        return ids.map((id) => rows.find((r) => r.event_id === id) ?? { invited: 0, attended: 0 });
      }),
      responsesOfSurvey: parentPagesLoader((ids, window) => findResponsesOfSurveys(db, scope, ids, window)),
      responseCount: countLoader((ids) => countResponsesOfSurveys(db, scope, ids)),
      interactionCount: countLoader((ids) => countInteractionsOfCustomers(db, scope, ids)),
      complaintCount: countLoader((ids) => countComplaintsOfCustomers(db, scope, ids)),
      taskCount: (status) => {
        const key = status?.slice().sort().join(',') ?? '';
        let loader = taskCounts.get(key);
        if (!loader) {
          loader = countLoader((ids) => countTasksOfCustomers(db, scope, ids, status));
          taskCounts.set(key, loader);
        }
        return loader;
      },
      interactionsOfCustomer: parentPagesLoader((ids, window) => findInteractionsOfCustomers(db, scope, ids, window)),
      complaintsOfCustomer: parentPagesLoader((ids, window) => findComplaintsOfCustomers(db, scope, ids, window)),
      tasksOfCustomer: (status) => {
        const key = status?.slice().sort().join(',') ?? '';
        let loader = taskLoaders.get(key);
        if (!loader) {
          loader = parentPagesLoader((ids, window) => findTasksOfCustomers(db, scope, ids, { ...window, status }));
          taskLoaders.set(key, loader);
        }
        return loader;
      },
    },
  };
}
