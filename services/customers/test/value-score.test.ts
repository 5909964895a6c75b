import { describe, expect, it } from 'vitest';
import { computeValueScore, type GradeThreshold, gradeFor, type ValueInputs } from '../src/domain/value-score.ts';

const thresholds: GradeThreshold[] = [
  { grade: 'VIP', minScore: '80' },
  { grade: 'PREMIUM', minScore: '60' },
  { grade: 'STANDARD', minScore: '40' },
  { grade: 'BASIC', minScore: '0' },
];
const base: ValueInputs = {
  outstandingPrincipal: '2500000.00',
  // Contribution inputs: interest and penalties as credit allocates them (InstalmentPaid carries
  // the split); 400k + 100k = 500k, the 500k the former total-repaid proxy had here.
  interestPaidLast12Months: '400000.00',
  penaltyPaidLast12Months: '100000.00',
  repaidWithoutSplitLast12Months: '0',
  activeLoans: 1,
  tenureDays: 0,
  instalmentsPaid: 2,
  instalmentsPaidOnTime: 2,
  overdueLast12Months: 0,
  worstBucket: 'CURRENT',
  averageNps: null,
  averageCsat: null,
  openComplaints: 0,
  maxLoanCycle: 2,
  loyaltyTier: null,
};
const parts = (i: ValueInputs) => Object.fromEntries(computeValueScore(i, '2026-11-23', thresholds).components.map((c) => [c.code, c.contribution.toFixed(2)]));

describe('value score', () => {
  it('adds up weighted components to the cent', () => {
    // BALANCE 2.5M / 5M = 50 x 0.20 = 10.00; CONTRIBUTION (interest 400k + penalties 100k) / 2M = 25 x 0.15 = 3.75; PRODUCTS 1 loan = 50 x 0.10 = 5.00;
    // TENURE 0; REPAYMENT 2/2 on time = 100 x 0.25 = 25.00; SATISFACTION neutral 50 x 0.10 = 5.00; GROWTH cycle 2 = 50 x 0.05 = 2.50;
    // LOYALTY none = 0. Total 51.25 -> STANDARD.
    const score = computeValueScore(base, '2026-11-23', thresholds);
    expect(parts(base)).toEqual({
      BALANCE: '10.00',
      CONTRIBUTION: '3.75',
      PRODUCTS: '5.00',
      TENURE: '0.00',
      REPAYMENT: '25.00',
      SATISFACTION: '5.00',
      GROWTH: '2.50',
      LOYALTY: '0.00',
    });
    expect(score.total.toFixed(2)).toBe('51.25');
    expect(score.qualifiesFor).toBe('STANDARD');
    expect(score.components.reduce((s, c) => s.plus(c.weight), score.total.minus(score.total)).toFixed(2)).toBe('1.00');
  });

  it('counts interest and penalties paid, and the total repaid only for instalments without the split', () => {
    const contribution = (i: ValueInputs) => computeValueScore(i, '2026-11-23', thresholds).components.find((c) => c.code === 'CONTRIBUTION');
    // Interest 123 456.78 + penalties 1 234.56 = 124 691.34 / 2M x 100 = 6.234567 -> 6.23; x 0.15 = 0.9345 -> 0.93.
    // (The former proxy counted the whole repaid amount, principal included.)
    const split = contribution({ ...base, interestPaidLast12Months: '123456.78', penaltyPaidLast12Months: '1234.56' });
    expect([split?.value.toFixed(2), split?.contribution.toFixed(2)]).toEqual(['6.23', '0.93']);
    expect(split?.basis).toBe('interest 123456.78 + penalties 1234.56 in 12 months of 2000000 for 100');
    // Plus 250 000 repaid on instalments whose (older) events carry no split, counted whole:
    // 374 691.34 / 2M x 100 = 18.734567 -> 18.73; x 0.15 = 2.8095 -> 2.81.
    const mixed = contribution({
      ...base,
      interestPaidLast12Months: '123456.78',
      penaltyPaidLast12Months: '1234.56',
      repaidWithoutSplitLast12Months: '250000.00',
    });
    expect([mixed?.value.toFixed(2), mixed?.contribution.toFixed(2)]).toEqual(['18.73', '2.81']);
    expect(mixed?.basis).toBe(
      'interest 123456.78 + penalties 1234.56 + 250000.00 repaid on instalments reported without the split in 12 months of 2000000 for 100',
    );
    // Only older events: the proxy as before, 500k / 2M = 25 -> 3.75.
    const old = contribution({ ...base, interestPaidLast12Months: '0', penaltyPaidLast12Months: '0', repaidWithoutSplitLast12Months: '500000.00' });
    expect(old?.contribution.toFixed(2)).toBe('3.75');
  });

  it('rounds each value and contribution half-up to 2 decimals', () => {
    // 1 of 3 on time = 33.333... -> 33.33; x 0.25 = 8.3325 -> 8.33
    expect(parts({ ...base, instalmentsPaid: 3, instalmentsPaidOnTime: 1 }).REPAYMENT).toBe('8.33');
    // tenure 30 days of 1825 = 1.6438 -> 1.64; x 0.10 = 0.164 -> 0.16
    expect(parts({ ...base, tenureDays: 30 }).TENURE).toBe('0.16');
  });

  it('penalises overdue instalments and caps the repayment record by the worst bucket', () => {
    // 100 - 3 x 10 = 70, capped at 30 by DPD_31_60: 30 x 0.25 = 7.50
    expect(parts({ ...base, overdueLast12Months: 3, worstBucket: 'DPD_31_60' }).REPAYMENT).toBe('7.50');
    expect(parts({ ...base, worstBucket: 'DPD_90_PLUS' }).REPAYMENT).toBe('0.00');
  });

  it('reads satisfaction from NPS first, then CSAT, less 15 per open complaint, and the loyalty tier', () => {
    // NPS 8.5 x 10 = 85 - 15 = 70 x 0.10 = 7.00
    expect(parts({ ...base, averageNps: '8.5', openComplaints: 1 }).SATISFACTION).toBe('7.00');
    // CSAT 4 on 1-5 = 75 x 0.10 = 7.50
    expect(parts({ ...base, averageCsat: '4' }).SATISFACTION).toBe('7.50');
    expect(parts({ ...base, loyaltyTier: 'GOLD' }).LOYALTY).toBe('3.75');
  });

  it('maps a score to the highest grade whose floor it reaches', () => {
    expect(gradeFor('80', thresholds)).toBe('VIP');
    expect(gradeFor('79.99', thresholds)).toBe('PREMIUM');
    expect(gradeFor('39.99', thresholds)).toBe('BASIC');
  });
});
