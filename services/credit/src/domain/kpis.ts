import type { KpiDefinition } from '@crm/service-kit';

/**
 * credit's KPIs (`creditKpi`): each metric's formula and the dimensions it may be grouped by (the
 * same text as the CreditKpiMetric enum in schema.graphql and the README). The SQL, one grouped
 * statement per metric, is in db/kpi.store.ts. BRANCH, OFFICER, PRODUCT and CURRENCY are the loan's.
 */
const LOAN_DIMENSIONS = ['BRANCH', 'OFFICER', 'PRODUCT', 'CURRENCY', 'MONTH'] as const;

/** A loan more than this many days past due counts in PAR30 and as a warning's "hit" (as `portfolioSummary.par30`). */
export const PAR30_DAYS = 30;
/** The window after a warning in which a PAR30 snapshot makes it a hit. */
export const HIT_WINDOW_DAYS = 90;

export const CREDIT_KPIS = {
  WARNING_RESOLUTION_TIME: {
    metric: 'WARNING_RESOLUTION_TIME',
    formula:
      'Mean warning resolution time in hours: over the warnings resolved in [from, to], numerator = the sum of hours from raised to resolved, denominator = their number, value = the mean (2 decimals). MONTH = month resolved.',
    dimensions: LOAN_DIMENSIONS,
    kind: 'MEAN',
  },
  WARNING_HIT_RATE: {
    metric: 'WARNING_HIT_RATE',
    formula: `Warning hit rate: over the warnings raised in [from, to], numerator = those whose loan was more than ${PAR30_DAYS} days past due in an end-of-day snapshot dated after the day raised and at most ${HIT_WINDOW_DAYS} days after it, denominator = the warnings raised; value = the share (4 decimals). MONTH = month raised.`,
    dimensions: LOAN_DIMENSIONS,
    kind: 'RATIO',
  },
  PAR30: {
    metric: 'PAR30',
    formula: `PAR30: numerator = outstanding principal of loans more than ${PAR30_DAYS} days past due, denominator = outstanding principal, from the snapshots of the latest end-of-day run in [from, to] (by MONTH: the latest run of each month); value = the ratio (4 decimals).`,
    dimensions: LOAN_DIMENSIONS,
    kind: 'RATIO',
  },
  COLLECTION_RATE: {
    metric: 'COLLECTION_RATE',
    formula:
      'Collection rate: over the instalments (schedule version in force) due in [from, to], numerator = principal and interest paid on them by `to`, denominator = their principal and interest; value = the ratio (4 decimals). MONTH = month due.',
    dimensions: LOAN_DIMENSIONS,
    kind: 'RATIO',
  },
  WARNINGS_RESOLVED_BEFORE_30_DPD: {
    metric: 'WARNINGS_RESOLVED_BEFORE_30_DPD',
    formula: `Warnings resolved before ${PAR30_DAYS} days past due (issue 15, did it work): over the warnings raised in [from, to] while their loan was at most ${PAR30_DAYS} days past due (its latest end-of-day snapshot on or before the day raised; none: current), except those whose recorded outcome is FALSE_ALARM, and whose outcome is known: denominator = those RESOLVED plus those whose loan went more than ${PAR30_DAYS} days past due (a snapshot on or after the day raised) while still open; numerator = those RESOLVED with no snapshot of their loan more than ${PAR30_DAYS} days past due from the day raised to the day resolved; value = the share (4 decimals). MONTH = month raised.`,
    dimensions: LOAN_DIMENSIONS,
    kind: 'RATIO',
  },
} as const satisfies Record<string, KpiDefinition>;

export type CreditKpiMetric = keyof typeof CREDIT_KPIS;
