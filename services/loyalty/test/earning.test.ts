import { describe, expect, it } from 'vitest';
import { type EarningRule, pointsForRule } from '../src/domain/earning.ts';
import { checkAdjustment, checkRedemption } from '../src/domain/redemption.ts';

const fixed = (points: number, tierMultiplier = true): EarningRule => ({ code: 'R', calculation: 'FIXED', points, rate: null, tierMultiplier });
const proportional = (rate: string, tierMultiplier = true): EarningRule => ({ code: 'P', calculation: 'PROPORTIONAL', points: 0, rate, tierMultiplier });

describe('earning rules', () => {
  it('gives fixed points times the tier multiplier, rounded down', () => {
    expect(pointsForRule(fixed(200), null, '1.000')).toBe(200);
    // 333 × 1.25 = 416.25 -> 416
    expect(pointsForRule(fixed(333), null, '1.250')).toBe(416);
    expect(pointsForRule(fixed(333, false), null, '2.000')).toBe(333);
  });

  it('gives proportional points on the amount, exactly, rounded down once at the end', () => {
    // 1 point per 100: 2 499.99 × 0.01 = 24.9999 -> 24
    expect(pointsForRule(proportional('0.01'), '2499.99', '1')).toBe(24);
    // 2 499.99 × 0.01 × 1.5 = 37.49985 -> 37 (not 24 × 1.5 = 36: one rounding only)
    expect(pointsForRule(proportional('0.01'), '2499.99', '1.500')).toBe(37);
    // 0.1 + 0.2 style traps: 0.3 × 10 = 3 exactly, not 2.9999999
    expect(pointsForRule(proportional('10'), '0.3', '1')).toBe(3);
  });

  it('gives nothing for a proportional rule without an amount or below one point', () => {
    expect(pointsForRule(proportional('0.01'), null, '1')).toBe(0);
    expect(pointsForRule(proportional('0.01'), '99.99', '1')).toBe(0);
    expect(pointsForRule(fixed(0), null, '2')).toBe(0);
  });
});

describe('redemption and adjustment checks', () => {
  const reward = { active: true, pointsCost: 500, stock: 3, minTierRank: null };
  it('accepts a redemption the member can afford', () => {
    expect(checkRedemption(reward, 500, 1)).toEqual([]);
  });
  it('refuses an unknown, out-of-stock, above-tier or unaffordable reward, with field and code', () => {
    expect(checkRedemption(null, 1000, 1)[0]).toMatchObject({ field: 'rewardId', code: 'REWARD_NOT_FOUND' });
    expect(checkRedemption({ ...reward, active: false }, 1000, 1)[0]?.code).toBe('REWARD_NOT_FOUND');
    expect(checkRedemption({ ...reward, stock: 0 }, 1000, 1)[0]?.code).toBe('OUT_OF_STOCK');
    expect(checkRedemption({ ...reward, minTierRank: 3 }, 1000, 2)[0]?.code).toBe('TIER_NOT_ELIGIBLE');
    expect(checkRedemption({ ...reward, minTierRank: 3 }, 1000, 3)).toEqual([]);
    expect(checkRedemption(reward, 499, 1)[0]).toMatchObject({ field: 'rewardId', code: 'INSUFFICIENT_POINTS' });
  });
  it('refuses a debit beyond the balance', () => {
    expect(checkAdjustment(-101, 100)[0]).toMatchObject({ field: 'points', code: 'INSUFFICIENT_POINTS' });
    expect(checkAdjustment(-100, 100)).toEqual([]);
    expect(checkAdjustment(5000, 0)).toEqual([]);
  });
});
