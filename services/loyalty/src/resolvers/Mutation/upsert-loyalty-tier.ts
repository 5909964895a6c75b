import { requireIdentity, runCommand } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { recordProgrammeChange } from '../../db/audit.store.ts';
import { findTiers, upsertTier } from '../../db/tier.store.ts';
import { validateTier } from '../../domain/admin-input.ts';

/** Creates or changes a tier by code (administrators); ranks and thresholds stay in step. */
export const upsertLoyaltyTier: MutationResolvers['upsertLoyaltyTier'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  const parsed = validateTier(input);
  if (!parsed.ok) return { tier: null, userErrors: parsed.errors };
  const t = parsed.value;
  const all = await findTiers(ctx.db);
  const others = all.filter((o) => o.code !== t.code);
  if (others.some((o) => o.rank === t.rank))
    return { tier: null, userErrors: [{ field: 'rank', code: 'DUPLICATE_RANK', message: `Another tier has rank ${t.rank}` }] };
  // A higher rank must need more qualifying points than every lower one, and fewer than every higher one.
  if (others.some((o) => (o.rank < t.rank && o.threshold >= t.threshold) || (o.rank > t.rank && o.threshold <= t.threshold))) {
    return { tier: null, userErrors: [{ field: 'threshold', code: 'THRESHOLD_OUT_OF_ORDER', message: 'Thresholds must rise with the rank' }] };
  }
  const tier = await runCommand(ctx, { action: 'upsertLoyaltyTier', entityType: 'LoyaltyTier' }, async (tx, audit) => {
    const after = await upsertTier(tx, {
      code: t.code,
      name: t.name,
      rank: t.rank,
      threshold: t.threshold,
      multiplier: t.multiplier.toFixed(3),
      rate_discount_bps: t.rateDiscountBps,
      fee_waivers_per_year: t.feeWaiversPerYear,
      priority_service: t.priorityService,
      dedicated_manager: t.dedicatedManager,
      birthday_gift: t.birthdayGift,
    });
    const before = all.find((o) => o.code === t.code) ?? null;
    await recordProgrammeChange(tx, { entity: 'TIER', key: t.code, actorId: identity.userId, before, after, at: ctx.now() });
    audit.entity(t.code);
    audit.changes(before, after);
    return after;
  });
  return { tier, userErrors: [] };
};
