import {
  badUserInput,
  type ChangePosition,
  checkKpiRequest,
  endOfDate,
  findAuditTrail,
  findJobRuns,
  forbidden,
  kpiRows,
  minorUnits,
  pageSize,
  parseChangedSince,
  requireIdentity,
  startOfDate,
  toConnection,
  toFeedConnection,
  withCount,
} from '@crm/service-kit';
import type { QueryResolvers } from '../__generated__/resolvers-types.ts';
import { accountCursor, countAccounts, entryCursor, findAccountById, listAccounts } from '../db/account.store.ts';
import { findProgrammeChanges } from '../db/audit.store.ts';
import { ledgerFlow, outstandingPoints } from '../db/kpi.store.ts';
import { countEntries, listEntries } from '../db/ledger.store.ts';
import { figuresByBranch, figuresByMonth, membersPerTier } from '../db/programme.store.ts';
import { countRedemptions, findRewards, listRedemptions, redemptionCursor } from '../db/reward.store.ts';
import { findRules } from '../db/rule.store.ts';
import { LOYALTY_KPIS } from '../domain/kpis.ts';
import { programmeFigures, totalOf } from '../domain/programme.ts';

/**
 * The paging arguments of a top-level list: `changedSince` (absent: keyset listing; `"*"`: the
 * feed from the start; else a cursor of a previous pull) may not be combined with `after`.
 */
function listArgs(args: { first?: number | null; after?: string | null; changedSince?: string | null }) {
  const size = pageSize(args.first);
  const since: ChangePosition | null | undefined = parseChangedSince(args.changedSince);
  if (since !== undefined && args.after) throw badUserInput('after cannot be combined with changedSince', 'after');
  return { size, sent: args.changedSince ?? null, page: { limit: size + 1, after: args.after ?? null, since } };
}

export const Query: QueryResolvers = {
  /** Null when there is no such account; FORBIDDEN when its member is outside the caller's branch. */
  loyaltyAccount: async (_parent, { id }, ctx) => (await findAccountById(ctx.db, ctx.scope, id)) ?? null,
  rewards: async (_parent, { filter, first, after }, ctx) => {
    const size = pageSize(first);
    let maxTierRank: number | null = null;
    if (filter?.eligibleForTier) {
      const tier = (await ctx.loaders.tiers()).find((t) => t.code === filter.eligibleForTier);
      if (!tier) throw badUserInput(`No tier ${filter.eligibleForTier}`, 'filter.eligibleForTier');
      maxTierRank = tier.rank;
    }
    const rows = await findRewards(
      ctx.db,
      { kind: filter?.kind ?? null, activeOnly: filter?.activeOnly ?? true, maxTierRank },
      { limit: size + 1, after: after ?? null },
    );
    return toConnection(rows, size, (r) => [r.code]);
  },
  loyaltyAccounts: async (_parent, args, ctx) => {
    const { size, sent, page } = listArgs(args);
    const filter = args.filter ?? {};
    const rows = await listAccounts(ctx.db, ctx.scope, filter, page);
    for (const row of rows) ctx.loaders.account.prime(row.id, row);
    const connection = sent !== null ? toFeedConnection(rows, size, sent) : toConnection(rows, size, accountCursor);
    return withCount(connection, () => countAccounts(ctx.db, ctx.scope, filter));
  },
  pointsEntries: async (_parent, args, ctx) => {
    const { size, sent, page } = listArgs(args);
    const filter = args.filter ?? {};
    const rows = await listEntries(ctx.db, ctx.scope, filter, page);
    const connection = sent !== null ? toFeedConnection(rows, size, sent) : toConnection(rows, size, entryCursor);
    return withCount(connection, () => countEntries(ctx.db, ctx.scope, filter));
  },
  loyaltyRedemptions: async (_parent, args, ctx) => {
    const { size, sent, page } = listArgs(args);
    const filter = args.filter ?? {};
    const rows = await listRedemptions(ctx.db, ctx.scope, filter, page);
    const connection = sent !== null ? toFeedConnection(rows, size, sent) : toConnection(rows, size, redemptionCursor);
    return withCount(connection, () => countRedemptions(ctx.db, ctx.scope, filter));
  },
  loyaltyKpi: async (_parent, { metric, groupBy, from, to }, ctx) => {
    const definition = LOYALTY_KPIS[metric];
    const dimensions = checkKpiRequest(definition, { groupBy, from, to });
    const query = { groupBy: dimensions, from, to, scope: ctx.scope };
    if (metric === 'POINTS_OUTSTANDING') return kpiRows(definition, dimensions, await outstandingPoints(ctx.db, query, null));
    if (metric === 'POINTS_LIABILITY') {
      const settings = await ctx.loaders.settings();
      const decimals = settings.point_value_currency === null ? null : minorUnits(settings.point_value_currency);
      if (settings.point_value === null || settings.point_value_currency === null || decimals === null) {
        throw badUserInput('The programme has no point value: set pointValue and pointValueCurrency with updateLoyaltySettings', 'metric');
      }
      const pointValue = { value: settings.point_value, currency: settings.point_value_currency, minorUnits: decimals };
      return kpiRows(definition, dimensions, await outstandingPoints(ctx.db, query, pointValue));
    }
    return kpiRows(definition, dimensions, await ledgerFlow(ctx.db, metric, query));
  },
  loyaltyTiers: (_parent, _args, ctx) => ctx.loaders.tiers(),
  loyaltyEarningRules: (_parent, _args, ctx) => findRules(ctx.db),
  loyaltySettings: (_parent, _args, ctx) => ctx.loaders.settings(),
  loyaltyProgrammeChanges: async (_parent, { entity, first, after }, ctx) => {
    const size = pageSize(first);
    const rows = await findProgrammeChanges(ctx.db, entity ?? null, { limit: size + 1, after: after ?? null });
    return toConnection(rows, size, (r) => [r.id]);
  },
  loyaltyProgramSummary: async (_parent, { filter }, ctx) => {
    const identity = requireIdentity(ctx);
    let branchId = filter.branchId ?? null;
    // A branch manager sees their own branch only.
    if (!identity.roles.includes('administrator') && !identity.roles.includes('analyst')) {
      if (!identity.branchId || (branchId !== null && branchId !== identity.branchId)) throw forbidden('Branch managers see their own branch only');
      branchId = identity.branchId;
    }
    if (filter.from > filter.to) throw badUserInput('from must not be after to', 'filter.from');
    // Branch-bound callers count only the members within their scope.
    const range = { from: startOfDate(filter.from), to: endOfDate(filter.to), branchId, scope: ctx.scope };
    const [branches, months, tiers] = await Promise.all([
      figuresByBranch(ctx.db, range),
      figuresByMonth(ctx.db, range),
      membersPerTier(ctx.db, ctx.scope, branchId),
    ]);
    const total = totalOf(branches);
    return {
      figures: programmeFigures(total),
      outstandingLiability: total.liability,
      membersPerTier: tiers,
      byBranch: branches.map((b) => ({ branchId: b.branch_id, figures: programmeFigures(b), outstandingLiability: b.liability, members: b.members })),
      byMonth: months.map((m) => ({ month: m.month, figures: programmeFigures(m) })),
    };
  },
  loyaltyAuditTrail: (_parent, { filter, first, after }, ctx) =>
    findAuditTrail(
      ctx.db,
      {
        entityType: filter?.entityType ?? null,
        entityId: filter?.entityId ?? null,
        actorId: filter?.actorId ?? null,
        action: filter?.action ?? null,
        from: filter?.from ?? null,
        to: filter?.to ?? null,
      },
      { first, after: after ?? null },
    ),
  loyaltyJobRuns: (_parent, { job, first, after }, ctx) => findJobRuns(ctx.db, { job }, { first, after: after ?? null }),
};
