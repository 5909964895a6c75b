import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { debtRatioOf, incomeBandOf, incomeChangeRatio, validateSnapshot } from '../src/domain/financial.ts';

const d = (v: string) => new Decimal(v);

describe('financial profile rules', () => {
  it('derives the income band from the monthly income (lower bounds inclusive)', () => {
    expect(incomeBandOf(d('99999.99'))).toBe('LOW');
    expect(incomeBandOf(d('100000'))).toBe('LOWER_MIDDLE');
    expect(incomeBandOf(d('300000'))).toBe('UPPER_MIDDLE');
    expect(incomeBandOf(d('1000000'))).toBe('HIGH');
    expect(incomeBandOf(null)).toBeNull();
  });

  it('derives the debt ratio as liabilities / assets to 4 decimals, half-up', () => {
    // 1 000 000 / 3 000 000 = 0.33333... -> 0.3333; 2 / 3 = 0.66666... -> 0.6667
    expect(debtRatioOf(d('3000000'), d('1000000'))?.toFixed(4)).toBe('0.3333');
    expect(debtRatioOf(d('3'), d('2'))?.toFixed(4)).toBe('0.6667');
    expect(debtRatioOf(d('0'), d('10'))).toBeNull();
  });

  it('computes the income change against the previous snapshot', () => {
    // (210000 - 300000) / 300000 = -0.3
    expect(incomeChangeRatio(d('300000'), d('210000'))?.toFixed(4)).toBe('-0.3000');
    expect(incomeChangeRatio(null, d('210000'))).toBeNull();
  });

  it('refuses negative amounts, a future date, a bad currency and an out-of-range score', () => {
    const r = validateSnapshot({ asOf: '2027-01-01', currency: 'xaf', monthlyIncome: d('-1'), assets: d('10.001'), externalCreditScore: 1200 }, '2026-11-23');
    expect(r.ok ? [] : r.errors.map((e) => [e.field, e.code])).toEqual([
      ['asOf', 'DATE_IN_FUTURE'],
      ['currency', 'INVALID_FORMAT'],
      ['monthlyIncome', 'NEGATIVE_AMOUNT'],
      ['assets', 'TOO_MANY_DECIMALS'],
      ['externalCreditScore', 'OUT_OF_RANGE'],
    ]);
  });
});
