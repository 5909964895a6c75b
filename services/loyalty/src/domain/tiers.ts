import { addDays } from '@crm/service-kit';

/** A tier as the programme configures it. */
export interface Tier {
  code: string;
  rank: number;
  /** Qualifying points over the rolling window needed to hold the tier. */
  threshold: number;
}

/** The highest tier whose threshold the qualifying points reach (the lowest tier when none). */
export function qualifiedTier<T extends Tier>(qualifying: number, tiers: readonly T[]): T {
  const sorted = [...tiers].sort((a, b) => a.rank - b.rank);
  const lowest = sorted[0];
  if (!lowest) throw new Error('No tiers configured');
  return sorted.reduce((best, t) => (qualifying >= t.threshold ? t : best), lowest);
}

export interface MemberTierState {
  tier: string;
  /** Set while a downgrade is pending (after the warning). */
  downgradeOn: string | null;
}

export type TierDecision =
  | { kind: 'UPGRADE'; to: string }
  | { kind: 'WARN'; projected: string; effectiveOn: string }
  | { kind: 'DOWNGRADE'; to: string }
  | { kind: 'REQUALIFIED' }
  | { kind: 'NONE' };

/**
 * Periodic tier evaluation for a date. Upgrades apply at once. A member who no longer qualifies
 * is warned and keeps the tier for the grace period; if still short on the date it ends, the tier
 * drops to the one they qualify for. Requalifying during the grace cancels the pending downgrade.
 * Repeatable: a second run for the same date decides NONE.
 */
export function evaluateTier(state: MemberTierState, qualified: Tier, tiers: readonly Tier[], asOf: string, graceDays: number): TierDecision {
  const current = tiers.find((t) => t.code === state.tier);
  const currentRank = current?.rank ?? 0;
  if (qualified.rank > currentRank) return { kind: 'UPGRADE', to: qualified.code };
  if (qualified.rank === currentRank) return state.downgradeOn ? { kind: 'REQUALIFIED' } : { kind: 'NONE' };
  if (state.downgradeOn === null) {
    if (graceDays === 0) return { kind: 'DOWNGRADE', to: qualified.code };
    return { kind: 'WARN', projected: qualified.code, effectiveOn: addDays(asOf, graceDays) };
  }
  return asOf >= state.downgradeOn ? { kind: 'DOWNGRADE', to: qualified.code } : { kind: 'NONE' };
}

/** Where a member stands against the next tier. */
export function tierProgress(qualifying: number, currentTier: string, tiers: readonly Tier[]): { nextTier: string | null; pointsToNextTier: number } {
  const current = tiers.find((t) => t.code === currentTier);
  const next = [...tiers].sort((a, b) => a.rank - b.rank).find((t) => t.rank > (current?.rank ?? 0));
  if (!next) return { nextTier: null, pointsToNextTier: 0 };
  return { nextTier: next.code, pointsToNextTier: Math.max(0, next.threshold - qualifying) };
}
