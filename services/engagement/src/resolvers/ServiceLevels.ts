import { requireIdentity } from '@crm/service-kit';
import DataLoader from 'dataloader';
import { GraphQLError } from 'graphql';
import type { CustomerResolvers, InteractionResolvers, QueryResolvers, TaskResolvers } from '../__generated__/resolvers-types.ts';
import type { EngagementContext } from '../context.ts';
import { checkContactAllowed, findContactRules } from '../db/contact-limit.store.ts';
import { findCustomerReplica } from '../db/customer-replica.store.ts';
import type { TaskRow } from '../db/schema.ts';
import { type CustomerServiceLevel, findServiceLevels, findServiceLevelsInScope } from '../db/service-level.store.ts';
import { findTaskRanks, type RankedTaskRow } from '../db/worklist.store.ts';
import { allowedAgainAt } from '../domain/contact-limits.ts';
import { worklistRank } from '../domain/worklist.ts';

/**
 * Service levels, contact rules and the worklist rank (issue 15): the Query fields of
 * src/schema/service-levels.graphql and the fields it adds to Task, Interaction and Customer.
 */

/** Per-request loaders of this area, kept beside the request's context. */
const loaders = new WeakMap<EngagementContext, { rank: DataLoader<string, RankedTaskRow | null>; level: DataLoader<string, CustomerServiceLevel | null> }>();
function loadersOf(ctx: EngagementContext) {
  let l = loaders.get(ctx);
  if (!l) {
    const at = ctx.now();
    l = {
      rank: new DataLoader(async (ids) => {
        const rows = await findTaskRanks(ctx.db, ctx.scope, ids, at);
        return ids.map((id) => rows.find((r) => r.id === id) ?? null);
      }),
      level: new DataLoader(async (ids) => {
        const rows = await findServiceLevelsInScope(ctx.db, ctx.scope, ids);
        return ids.map((id) => rows.find((r) => r.customerId === id) ?? null);
      }),
    };
    loaders.set(ctx, l);
  }
  return l;
}

/** Worklist rows carry their rank already: the rank loader is primed with them (no second statement). */
export function primeRanks(ctx: EngagementContext, rows: readonly RankedTaskRow[]): void {
  const { rank } = loadersOf(ctx);
  for (const r of rows) rank.prime(r.id, r);
}

const isRanked = (t: TaskRow): t is RankedTaskRow => 'score' in t && 'rank_at' in t;

export const serviceLevelQueries: Pick<QueryResolvers, 'serviceLevels' | 'contactRules' | 'contactCheck'> = {
  serviceLevels: (_parent, { branchId }, ctx) => {
    requireIdentity(ctx);
    return findServiceLevels(ctx.db, branchId ?? null);
  },
  contactRules: (_parent, _args, ctx) => {
    requireIdentity(ctx);
    return findContactRules(ctx.db);
  },
  contactCheck: async (_parent, { customerId, channel, purpose, at }, ctx) => {
    requireIdentity(ctx);
    // FORBIDDEN outside the caller's scope
    const customer = await findCustomerReplica(ctx.db, ctx.scope, customerId);
    if (!customer) throw new GraphQLError(`No customer with id ${customerId}`, { extensions: { code: 'NOT_FOUND' } });
    const decision = await checkContactAllowed(ctx.db, { customerId, channel, purpose, at: at ?? ctx.now() });
    return { allowed: decision.allowed, refusals: decision.refusals, allowedAgainAt: decision.allowed ? null : allowedAgainAt(decision.refusals) };
  },
};

export const TaskServiceLevel: Pick<TaskResolvers, 'worklistRank' | 'planning'> = {
  worklistRank: async (t, _args, ctx) => {
    const row = isRanked(t) ? t : await loadersOf(ctx).rank.load(t.id);
    if (!row) return null;
    const rank = worklistRank(
      {
        dueAt: row.due_at,
        priority: row.priority,
        worstBucket: row.worst_bucket,
        daysPastDue: row.days_past_due,
        churnLevel: row.churn_level,
        churnScore: row.churn_score,
        grade: row.grade,
        valuePoints: row.value_points,
        careNeeds: row.care_needs,
        carePoints: row.care_points,
      },
      row.rank_at,
    );
    return { score: rank.score, factors: rank.factors, at: row.rank_at };
  },
  planning: (t) =>
    t.planning
      ? {
          ...t.planning,
          contactRules: t.planning.contactRules ?? [],
        }
      : null,
};

export const InteractionServiceLevel: Pick<InteractionResolvers, 'contactRuleOverride'> = {
  contactRuleOverride: (i) => i.contact_override ?? null,
};

export const CustomerServiceLevelField: Pick<CustomerResolvers, 'serviceLevel'> = {
  serviceLevel: async (c, _args, ctx) => {
    const level = await loadersOf(ctx).level.load(c.id);
    return level
      ? {
          grade: level.grade,
          careNeeds: level.careNeeds,
          taskPriorityFloor: level.taskPriorityFloor,
          taskDuePercent: level.taskDuePercent,
          complaintSlaPercent: level.complaintSlaPercent,
          valuePoints: level.valuePoints,
          carePoints: level.carePoints,
          callbackEveryDays: level.callbackEveryDays,
          homeVisit: level.homeVisit,
        }
      : null;
  },
};
