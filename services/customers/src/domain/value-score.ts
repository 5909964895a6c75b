import type { DelinquencyBucket } from '@crm/events';
import { Decimal } from 'decimal.js';

/**
 * The value score: 0-100, the sum of weighted components, each explainable on its own.
 * Current value: balances, contribution (interest and penalties paid), products held. Potential
 * value: tenure, repayment record, satisfaction, growth (loan cycles) and loyalty tier.
 *
 * Rounding: every component value and every contribution is rounded to 2 decimals HALF_UP;
 * the total is the exact sum of the rounded contributions, so the parts always add up.
 */
export type Grade = 'VIP' | 'PREMIUM' | 'STANDARD' | 'BASIC';
export const GRADES_HIGH_TO_LOW: readonly Grade[] = ['VIP', 'PREMIUM', 'STANDARD', 'BASIC'];
export const gradeRank = (g: Grade): number => GRADES_HIGH_TO_LOW.length - GRADES_HIGH_TO_LOW.indexOf(g);

/** What the score is computed from: aggregates this service keeps from other services' events. */
export interface ValueInputs {
  /** Principal of loans disbursed and not closed, as of the date (decimal string). */
  outstandingPrincipal: string;
  /** Interest paid on instalments paid in the 12 months up to the date, as credit allocated it (decimal string). */
  interestPaidLast12Months: string;
  /** Penalties paid on those instalments, likewise (decimal string). */
  penaltyPaidLast12Months: string;
  /**
   * Total paid on instalments of those 12 months whose events carry no interest/penalty split
   * (published before credit added it): the contribution counts their total instead (decimal string).
   */
  repaidWithoutSplitLast12Months: string;
  activeLoans: number;
  /** Days since registration. */
  tenureDays: number;
  instalmentsPaid: number;
  instalmentsPaidOnTime: number;
  /** InstalmentOverdue events in the 12 months up to the date. */
  overdueLast12Months: number;
  /** Worst bucket of the open loans. */
  worstBucket: DelinquencyBucket;
  /** Average NPS (0-10) of survey answers, decimal string, or null. */
  averageNps: string | null;
  /** Average CSAT (1-5), decimal string, or null. */
  averageCsat: string | null;
  openComplaints: number;
  /** Highest loan cycle seen (0 without loans). */
  maxLoanCycle: number;
  loyaltyTier: string | null;
}

export interface ValueComponent {
  code: string;
  label: string;
  group: 'CURRENT' | 'POTENTIAL';
  weight: Decimal;
  value: Decimal;
  contribution: Decimal;
  basis: string;
}

export interface ValueScore {
  asOf: string;
  total: Decimal;
  components: ValueComponent[];
  qualifiesFor: Grade;
}

export interface ScoreModel {
  weights: Record<ComponentCode, string>;
  /** Outstanding principal that scores 100 on BALANCE. */
  balanceReference: string;
  /** Interest and penalties (or repayments without the split) over 12 months that score 100 on CONTRIBUTION. */
  contributionReference: string;
  /** Tenure in days that scores 100. */
  fullTenureDays: number;
}

export type ComponentCode = 'BALANCE' | 'CONTRIBUTION' | 'PRODUCTS' | 'TENURE' | 'REPAYMENT' | 'SATISFACTION' | 'GROWTH' | 'LOYALTY';
const COMPONENT_CODES: readonly ComponentCode[] = ['BALANCE', 'CONTRIBUTION', 'PRODUCTS', 'TENURE', 'REPAYMENT', 'SATISFACTION', 'GROWTH', 'LOYALTY'];

/** The default model; weights add up to 1. Amounts are in the lender's currency. */
export const DEFAULT_SCORE_MODEL: ScoreModel = {
  weights: {
    BALANCE: '0.20',
    CONTRIBUTION: '0.15',
    PRODUCTS: '0.10',
    TENURE: '0.10',
    REPAYMENT: '0.25',
    SATISFACTION: '0.10',
    GROWTH: '0.05',
    LOYALTY: '0.05',
  },
  balanceReference: '5000000',
  contributionReference: '2000000',
  fullTenureDays: 5 * 365,
};

const HUNDRED = new Decimal(100);
const round2 = (d: Decimal) => d.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
const clamp = (d: Decimal) => Decimal.max(0, Decimal.min(HUNDRED, d));
const ratio = (part: Decimal.Value, whole: Decimal.Value) => clamp(new Decimal(part).div(whole).times(HUNDRED));

/** Cap of the repayment component by the worst open delinquency bucket. */
const BUCKET_CAP: Record<DelinquencyBucket, number> = { CURRENT: 100, DPD_1_30: 60, DPD_31_60: 30, DPD_61_90: 10, DPD_90_PLUS: 0 };
const PRODUCTS_SCORE = [0, 50, 80, 100];
const TIER_SCORE: Record<string, number> = { BRONZE: 25, SILVER: 50, GOLD: 75, PLATINUM: 100 };

function repaymentValue(i: ValueInputs): { value: Decimal; basis: string } {
  const cap = new Decimal(BUCKET_CAP[i.worstBucket]);
  if (i.instalmentsPaid === 0 && i.overdueLast12Months === 0 && i.worstBucket === 'CURRENT')
    return { value: new Decimal(50), basis: 'no repayment record yet: neutral 50' };
  const onTime = i.instalmentsPaid ? ratio(i.instalmentsPaidOnTime, i.instalmentsPaid) : new Decimal(0);
  const penalised = Decimal.max(0, onTime.minus(10 * i.overdueLast12Months));
  return {
    value: Decimal.min(penalised, cap),
    basis: `${i.instalmentsPaidOnTime}/${i.instalmentsPaid} instalments on time, ${i.overdueLast12Months} overdue in 12 months (-10 each), worst bucket ${i.worstBucket} caps at ${cap}`,
  };
}

/**
 * Interest and penalties paid over 12 months, as credit allocated them. Instalments whose
 * events carry no split (older events) count their total repaid instead, the former proxy.
 */
function contributionValue(i: ValueInputs, model: ScoreModel): { value: Decimal; basis: string } {
  const interest = new Decimal(i.interestPaidLast12Months);
  const penalty = new Decimal(i.penaltyPaidLast12Months);
  const unsplit = new Decimal(i.repaidWithoutSplitLast12Months);
  const fallback = unsplit.isZero() ? '' : ` + ${unsplit.toFixed(2)} repaid on instalments reported without the split`;
  return {
    value: ratio(interest.plus(penalty).plus(unsplit), model.contributionReference),
    basis: `interest ${interest.toFixed(2)} + penalties ${penalty.toFixed(2)}${fallback} in 12 months of ${model.contributionReference} for 100`,
  };
}

function satisfactionValue(i: ValueInputs): { value: Decimal; basis: string } {
  let base: Decimal;
  let basis: string;
  if (i.averageNps !== null) {
    base = new Decimal(i.averageNps).times(10);
    basis = `average NPS ${new Decimal(i.averageNps).toDecimalPlaces(2, Decimal.ROUND_HALF_UP)} x 10`;
  } else if (i.averageCsat !== null) {
    base = new Decimal(i.averageCsat).minus(1).div(4).times(HUNDRED);
    basis = `average CSAT ${new Decimal(i.averageCsat).toDecimalPlaces(2, Decimal.ROUND_HALF_UP)} on 1-5`;
  } else {
    base = new Decimal(50);
    basis = 'no survey answer yet: neutral 50';
  }
  return { value: clamp(base.minus(15 * i.openComplaints)), basis: `${basis}, ${i.openComplaints} open complaint(s) (-15 each)` };
}

/** Computes the explainable score; `gradeOf` maps a total to the grade it qualifies for. */
export function computeValueScore(i: ValueInputs, asOf: string, thresholds: GradeThreshold[], model: ScoreModel = DEFAULT_SCORE_MODEL): ValueScore {
  const parts: Record<ComponentCode, { label: string; group: 'CURRENT' | 'POTENTIAL'; value: Decimal; basis: string }> = {
    BALANCE: {
      label: 'Outstanding balances',
      group: 'CURRENT',
      value: ratio(i.outstandingPrincipal, model.balanceReference),
      basis: `outstanding principal ${i.outstandingPrincipal} of ${model.balanceReference} for 100`,
    },
    CONTRIBUTION: { label: 'Interest and fees contributed', group: 'CURRENT', ...contributionValue(i, model) },
    PRODUCTS: {
      label: 'Products held',
      group: 'CURRENT',
      value: new Decimal(PRODUCTS_SCORE[Math.min(i.activeLoans, 3)] ?? 100),
      basis: `${i.activeLoans} open loan(s)`,
    },
    TENURE: {
      label: 'Tenure',
      group: 'POTENTIAL',
      value: ratio(i.tenureDays, model.fullTenureDays),
      basis: `${i.tenureDays} days as a customer of ${model.fullTenureDays} for 100`,
    },
    REPAYMENT: { label: 'Repayment record', group: 'POTENTIAL', ...repaymentValue(i) },
    SATISFACTION: { label: 'Satisfaction', group: 'POTENTIAL', ...satisfactionValue(i) },
    GROWTH: {
      label: 'Growth (loan cycles)',
      group: 'POTENTIAL',
      value: new Decimal(Math.min(i.maxLoanCycle, 4) * 25),
      basis: `loan cycle ${i.maxLoanCycle}`,
    },
    LOYALTY: {
      label: 'Loyalty tier',
      group: 'POTENTIAL',
      value: new Decimal((i.loyaltyTier && TIER_SCORE[i.loyaltyTier]) ?? 0),
      basis: i.loyaltyTier ? `tier ${i.loyaltyTier}` : 'no tier known',
    },
  };
  const components = COMPONENT_CODES.map((code): ValueComponent => {
    const p = parts[code];
    const weight = new Decimal(model.weights[code]);
    const value = round2(p.value);
    return { code, label: p.label, group: p.group, weight, value, contribution: round2(weight.times(value)), basis: p.basis };
  });
  const total = components.reduce((sum, c) => sum.plus(c.contribution), new Decimal(0));
  return { asOf, total, components, qualifiesFor: gradeFor(total, thresholds) };
}

export interface GradeThreshold {
  grade: Grade;
  /** Floor of the grade (decimal string). */
  minScore: string;
}

/** The highest grade whose floor the score reaches (BASIC when none does). */
export function gradeFor(score: Decimal.Value, thresholds: GradeThreshold[]): Grade {
  const s = new Decimal(score);
  const best = [...thresholds].sort((a, b) => gradeRank(b.grade) - gradeRank(a.grade)).find((t) => s.gte(t.minScore));
  return best?.grade ?? 'BASIC';
}
