import { describe, expect, it } from 'vitest';
import { redemptionRate } from '../src/domain/programme.ts';
import { evaluateTier, qualifiedTier, type Tier, tierProgress } from '../src/domain/tiers.ts';

const tiers: Tier[] = [
  { code: 'BRONZE', rank: 1, threshold: 0 },
  { code: 'SILVER', rank: 2, threshold: 1000 },
  { code: 'GOLD', rank: 3, threshold: 5000 },
  { code: 'PLATINUM', rank: 4, threshold: 15000 },
];
const tier = (code: string) => {
  const t = tiers.find((x) => x.code === code);
  if (!t) throw new Error(code);
  return t;
};

describe('tier evaluation', () => {
  it('finds the highest tier the qualifying points reach', () => {
    expect(qualifiedTier(0, tiers).code).toBe('BRONZE');
    expect(qualifiedTier(999, tiers).code).toBe('BRONZE');
    expect(qualifiedTier(1000, tiers).code).toBe('SILVER');
    expect(qualifiedTier(20000, tiers).code).toBe('PLATINUM');
  });

  it('upgrades at once', () => {
    expect(evaluateTier({ tier: 'SILVER', downgradeOn: null }, tier('GOLD'), tiers, '2026-11-23', 30)).toEqual({ kind: 'UPGRADE', to: 'GOLD' });
  });

  it('warns first, keeps the tier through the grace period, then downgrades', () => {
    const warn = evaluateTier({ tier: 'GOLD', downgradeOn: null }, tier('SILVER'), tiers, '2026-11-23', 30);
    expect(warn).toEqual({ kind: 'WARN', projected: 'SILVER', effectiveOn: '2026-12-23' });
    expect(evaluateTier({ tier: 'GOLD', downgradeOn: '2026-12-23' }, tier('SILVER'), tiers, '2026-12-22', 30)).toEqual({ kind: 'NONE' });
    expect(evaluateTier({ tier: 'GOLD', downgradeOn: '2026-12-23' }, tier('SILVER'), tiers, '2026-12-23', 30)).toEqual({ kind: 'DOWNGRADE', to: 'SILVER' });
  });

  it('cancels a pending downgrade when the member requalifies, and downgrades at once without grace', () => {
    expect(evaluateTier({ tier: 'GOLD', downgradeOn: '2026-12-23' }, tier('GOLD'), tiers, '2026-12-01', 30)).toEqual({ kind: 'REQUALIFIED' });
    expect(evaluateTier({ tier: 'GOLD', downgradeOn: null }, tier('BRONZE'), tiers, '2026-12-01', 0)).toEqual({ kind: 'DOWNGRADE', to: 'BRONZE' });
  });

  it('tells how far the next tier is', () => {
    expect(tierProgress(1200, 'SILVER', tiers)).toEqual({ nextTier: 'GOLD', pointsToNextTier: 3800 });
    expect(tierProgress(20000, 'PLATINUM', tiers)).toEqual({ nextTier: null, pointsToNextTier: 0 });
  });
});

describe('programme figures', () => {
  it('rates redemptions per point issued to 4 places, half up', () => {
    // 1 / 3 = 0.33333 -> 0.3333; 2 / 3 = 0.66667 -> 0.6667
    expect(redemptionRate(1, 3)).toBe('0.3333');
    expect(redemptionRate(2, 3)).toBe('0.6667');
    expect(redemptionRate(5, 0)).toBeNull();
  });
});
