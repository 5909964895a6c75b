import { keysetCursor, pageSize, requireIdentity, toConnection, withCount } from '@crm/service-kit';
import type {
  BranchManagerResolvers,
  MonitoringCadenceBandResolvers,
  QueryResolvers,
  TaskResolvers,
  VisitOutcomeResolvers,
} from '../__generated__/resolvers-types.ts';
import { countBranchManagers, findBranchManagers, findCadence } from '../db/monitoring.store.ts';

/**
 * Visits and reviews by risk (issue 15): the Query fields of src/schema/monitoring.graphql and
 * what it adds to Task. The cadence and the branch managers are configuration (not customer
 * data): every role that reads tasks may read them.
 */

export const monitoringQueries: Pick<QueryResolvers, 'monitoringCadence' | 'branchManagers'> = {
  monitoringCadence: (_parent, _args, ctx) => {
    requireIdentity(ctx);
    return findCadence(ctx.db);
  },
  branchManagers: async (_parent, { first, after }, ctx) => {
    requireIdentity(ctx);
    const size = pageSize(first, 50);
    const rows = await findBranchManagers(ctx.db, { limit: size + 1, after: after ?? null });
    return withCount(toConnection(rows, size, keysetCursor), () => countBranchManagers(ctx.db));
  },
};

export const TaskMonitoring: Pick<TaskResolvers, 'cadence' | 'visitOutcome'> = {
  cadence: (t) => t.cadence,
  visitOutcome: (t, _args, ctx) => (t.type === 'POST_LOAN_VISIT' ? ctx.loaders.notificationsVisits.visitOutcome.load(t.id) : null),
};

export const MonitoringCadenceBand: MonitoringCadenceBandResolvers = {
  riskClass: (b) => b.risk_class,
  minPrincipal: (b) => String(b.min_principal),
  visitEveryDays: (b) => b.visit_every_days,
  reviewEveryDays: (b) => b.review_every_days,
};

export const VisitOutcome: VisitOutcomeResolvers = {
  visitedOn: (v) => v.visited_on,
  customerMet: (v) => v.customer_met,
  businessOperating: (v) => v.business_operating,
  fundUseAsDeclared: (v) => v.fund_use_as_declared,
  recordedBy: (v) => v.recorded_by,
  recordedAt: (v) => v.recorded_at,
};

export const BranchManager: BranchManagerResolvers = {
  branchId: (b) => b.branch_id,
  managerId: (b) => b.manager_id,
  updatedAt: (b) => b.updated_at,
};
