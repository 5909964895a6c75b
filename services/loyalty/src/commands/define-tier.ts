import { emit } from '@crm/events';
import { requireIdentity, runCommand, type UserError } from '@crm/service-kit';
import type { UpsertLoyaltyTierInput } from '../__generated__/resolvers-types.ts';
import type { LoyaltyContext } from '../context.ts';
import { recordProgrammeChange } from '../db/audit.store.ts';
import { invalidateProgrammeCache } from '../db/programme.cache.ts';
import type { LoyaltyTierRow } from '../db/schema.ts';
import { findTiers, upsertTier } from '../db/tier.store.ts';
import { validateTier } from '../domain/admin-input.ts';

export type DefineTierResult = { tier: LoyaltyTierRow; userErrors: [] } | { tier: null; userErrors: UserError[] };

/** Creates or changes a tier by code (administrators); ranks and thresholds stay in step. */
export function defineTier(ctx: LoyaltyContext, input: UpsertLoyaltyTierInput): Promise<DefineTierResult> {
  const identity = requireIdentity(ctx);
  return runCommand(ctx, { action: 'upsertLoyaltyTier', entityType: 'LoyaltyTier' }, async (tx, audit): Promise<DefineTierResult> => {
    const parsed = validateTier(input);
    if (!parsed.ok) return { tier: null, userErrors: parsed.errors };
    const t = parsed.value;
    audit.entity(t.code);
    const all = await findTiers(tx);
    const others = all.filter((o) => o.code !== t.code);
    if (others.some((o) => o.rank === t.rank))
      return { tier: null, userErrors: [{ field: 'rank', code: 'DUPLICATE_RANK', message: `Another tier has rank ${t.rank}` }] };
    // A higher rank must need more qualifying points than every lower one, and fewer than every higher one.
    if (others.some((o) => (o.rank < t.rank && o.threshold >= t.threshold) || (o.rank > t.rank && o.threshold <= t.threshold))) {
      return { tier: null, userErrors: [{ field: 'threshold', code: 'THRESHOLD_OUT_OF_ORDER', message: 'Thresholds must rise with the rank' }] };
    }
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
    audit.changes(before, after);
    // the tier's terms for other services (credit's rate discount on new loans, issue 15)
    const now = ctx.now();
    await emit(tx, 'LoyaltyTierDefined', {
      subject: after.code,
      time: now,
      data: {
        tier: after.code,
        name: after.name,
        rank: after.rank,
        threshold: after.threshold,
        rateDiscountBps: after.rate_discount_bps,
        feeWaiversPerYear: after.fee_waivers_per_year,
        priorityService: after.priority_service,
        dedicatedManager: after.dedicated_manager,
        definedBy: identity.userId,
        definedAt: now.toISOString(),
      },
    });
    return { tier: after, userErrors: [] };
    // The cached tiers are dropped once the change committed (or failed).
  }).finally(() => invalidateProgrammeCache(ctx.db));
}
