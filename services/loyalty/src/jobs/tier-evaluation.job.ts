import { emit } from '@crm/events';
import { addMonthsTo, endOfDate, type JobDefinition } from '@crm/service-kit';
import { findSettings, setDowngradeOn, setTier } from '../db/account.store.ts';
import type { DB } from '../db/schema.ts';
import { findTierCandidates, findTiers } from '../db/tier.store.ts';
import { evaluateTier, type TierDecision } from '../domain/tiers.ts';

/**
 * Evaluates tiers as of a date on qualifying points over the rolling window: upgrades at once,
 * a warning (TierDowngradeWarning) when a member stops qualifying, the downgrade when the grace
 * period ends without requalifying. Candidates in one query, updates grouped by outcome.
 */
export const tierEvaluationJob: JobDefinition<DB> = {
  name: 'tier-evaluation',
  description: 'Evaluate member tiers on rolling qualifying points, with a downgrade grace period',
  everyMs: 24 * 60 * 60_000,
  run: ({ db, asOf }) =>
    db.transaction().execute(async (tx) => {
      const settings = await findSettings(tx);
      const tiers = await findTiers(tx);
      const to = endOfDate(asOf);
      const candidates = await findTierCandidates(tx, addMonthsTo(to, -settings.tier_window_months), to);
      const groups = new Map<string, { decision: TierDecision; members: typeof candidates }>();
      for (const c of candidates) {
        const qualified = tiers.find((t) => t.code === c.qualified_tier);
        if (!qualified) continue;
        const decision = evaluateTier({ tier: c.tier, downgradeOn: c.downgrade_on }, qualified, tiers, asOf, settings.tier_grace_days);
        if (decision.kind === 'NONE') continue;
        const key = JSON.stringify(decision);
        const group = groups.get(key) ?? { decision, members: [] };
        group.members.push(c);
        groups.set(key, group);
      }
      const counts = { upgraded: 0, downgraded: 0, warned: 0, requalified: 0 };
      for (const { decision, members } of groups.values()) {
        const ids = members.map((m) => m.account_id);
        if (decision.kind === 'UPGRADE' || decision.kind === 'DOWNGRADE') {
          await setTier(tx, ids, decision.to, asOf);
          const direction = decision.kind === 'UPGRADE' ? 'UP' : 'DOWN';
          // the new tier's rate discount now (credit prices new loans with it, issue 15)
          const rateDiscountBps = tiers.find((t) => t.code === decision.to)?.rate_discount_bps ?? 0;
          for (const m of members) {
            await emit(tx, 'TierChanged', {
              subject: m.customer_id,
              data: {
                accountId: m.account_id,
                customerId: m.customer_id,
                previousTier: m.tier,
                tier: decision.to,
                direction,
                effectiveOn: asOf,
                rateDiscountBps,
              },
            });
          }
          if (decision.kind === 'UPGRADE') counts.upgraded += ids.length;
          else counts.downgraded += ids.length;
        } else if (decision.kind === 'WARN') {
          await setDowngradeOn(tx, ids, decision.effectiveOn);
          for (const m of members) {
            await emit(tx, 'TierDowngradeWarning', {
              subject: m.customer_id,
              data: { accountId: m.account_id, customerId: m.customer_id, tier: m.tier, projectedTier: decision.projected, effectiveOn: decision.effectiveOn },
            });
          }
          counts.warned += ids.length;
        } else if (decision.kind === 'REQUALIFIED') {
          await setDowngradeOn(tx, ids, null);
          counts.requalified += ids.length;
        }
      }
      return counts;
    }),
};
