import { badUserInput, endOfDate, findAuditTrail, findJobRuns, forbidden, pageSize, requireIdentity, startOfDate, toConnection } from '@crm/service-kit';
import type { QueryResolvers } from '../__generated__/resolvers-types.ts';
import { findAccountById } from '../db/account.store.ts';
import { findProgrammeChanges } from '../db/audit.store.ts';
import { figuresByBranch, figuresByMonth, membersPerTier } from '../db/programme.store.ts';
import { findRewards } from '../db/reward.store.ts';
import { findRules } from '../db/rule.store.ts';
import { programmeFigures, totalOf } from '../domain/programme.ts';

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
