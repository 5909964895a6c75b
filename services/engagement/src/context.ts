import {
  byIds,
  byKey,
  createPagedLoader,
  groupedBy,
  type RequestContext,
  type Scope,
  type ServiceContext,
  type ServiceDeps,
  scopeOf,
  serviceContext,
} from '@crm/service-kit';
import DataLoader from 'dataloader';
import { findInvitationsOfEvents } from './db/care.store.ts';
import { findChurnRisks } from './db/churn.store.ts';
import { findComplaintHistories, findComplaintsByIds, findComplaintsOfCustomers } from './db/complaint.store.ts';
import { findInteractionsByIds, findInteractionsOfCustomers } from './db/interaction.store.ts';
import type {
  CareEventInvitationRow,
  ChurnRiskRow,
  ComplaintHistoryTable,
  ComplaintRow,
  DB,
  InteractionRow,
  SurveyResponseRow,
  SurveyRow,
  TaskRow,
  TaskStatus,
} from './db/schema.ts';
import { findResponsesOfDispatches, findSurveysByIds } from './db/survey.store.ts';
import { findTasksByIds, findTasksOfCustomers } from './db/task.store.ts';

/** What every engagement resolver receives. */
export interface EngagementContext extends ServiceContext<DB> {
  /** Which customers the caller may see and act on: every store query of customer data takes it. */
  scope: Scope;
  loaders: {
    interaction: DataLoader<string, InteractionRow | null>;
    task: DataLoader<string, TaskRow | null>;
    complaint: DataLoader<string, ComplaintRow | null>;
    complaintHistory: DataLoader<string, ComplaintHistoryTable[]>;
    survey: DataLoader<string, SurveyRow | null>;
    responseOfDispatch: DataLoader<string, SurveyResponseRow | null>;
    churnRisk: DataLoader<string, ChurnRiskRow | null>;
    invitationsOfEvent: DataLoader<string, CareEventInvitationRow[]>;
    interactionsOfCustomer: ReturnType<typeof createPagedLoader<InteractionRow>>;
    complaintsOfCustomer: ReturnType<typeof createPagedLoader<ComplaintRow>>;
    tasksOfCustomer: (status: TaskStatus[] | null) => ReturnType<typeof createPagedLoader<TaskRow>>;
  };
}

/** Rows grouped under each key, in the order asked (empty where none). */
export function createContext(base: RequestContext, deps: ServiceDeps<DB>): EngagementContext {
  const { db } = deps;
  // No identity: nothing is in scope (the access layer refuses such calls before any resolver).
  const scope: Scope = base.identity ? scopeOf(base.identity) : { kind: 'branch', branchId: null, managerId: null };
  const taskLoaders = new Map<string, ReturnType<typeof createPagedLoader<TaskRow>>>();
  return {
    ...serviceContext(base, deps),
    scope,
    loaders: {
      interaction: new DataLoader(async (ids) => byIds(ids, await findInteractionsByIds(db, scope, ids))),
      task: new DataLoader(async (ids) => byIds(ids, await findTasksByIds(db, scope, ids))),
      complaint: new DataLoader(async (ids) => byIds(ids, await findComplaintsByIds(db, scope, ids))),
      complaintHistory: new DataLoader(async (ids) => groupedBy(ids, await findComplaintHistories(db, ids), (r) => r.complaint_id)),
      survey: new DataLoader(async (ids) => byIds(ids, await findSurveysByIds(db, ids))),
      responseOfDispatch: new DataLoader(async (ids) => {
        const rows = await findResponsesOfDispatches(db, scope, ids);
        return byKey(ids, rows, (r) => r.dispatch_id);
      }),
      churnRisk: new DataLoader(async (ids) => {
        const rows = await findChurnRisks(db, scope, ids);
        return byKey(ids, rows, (r) => r.customer_id);
      }),
      invitationsOfEvent: new DataLoader(async (ids) => groupedBy(ids, await findInvitationsOfEvents(db, scope, ids), (r) => r.event_id)),
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
