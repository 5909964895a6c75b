import type { KpiDefinition } from '@crm/service-kit';

/**
 * customers' KPIs (`customersKpi`): each metric's formula and the dimensions it may be grouped
 * by. The SQL (one grouped statement per metric) is in db/kpi.store.ts.
 */
export const CUSTOMER_KPIS = {
  GRADE_MIGRATION: {
    metric: 'GRADE_MIGRATION',
    formula:
      "Grade migration matrix: for every customer graded on or before `to`, the grade held the day before `from` (FROM_GRADE; null: not yet graded) and the grade held on `to` (TO_GRADE), from the grade changes. numerator = customers moving from FROM_GRADE to TO_GRADE (staying customers are the diagonal); denominator = customers of the group that held FROM_GRADE the day before `from`; value = numerator / denominator (the share of the row). BRANCH and OFFICER are the customer's branch and relationship manager recorded with their latest grade change on or before `to`; SEGMENT is the segment's members now (rules evaluated live).",
    dimensions: ['FROM_GRADE', 'TO_GRADE', 'BRANCH', 'OFFICER', 'SEGMENT'],
    kind: 'RATIO',
  },
  VALUE_UPLIFT: {
    metric: 'VALUE_UPLIFT',
    formula:
      "Mean change of the value score: every stored score (grade evaluation) dated in [from, to] minus the same customer's previous stored score (which may be before `from`). numerator = the sum of those changes; denominator = the customers with at least one change in the group; value = numerator / denominator (2 decimals): the mean change per customer over the period (the changes of a customer telescope to last score - score before the period). MONTH is the month of the later score; BRANCH and OFFICER are the customer's now; SEGMENT its segments now.",
    dimensions: ['BRANCH', 'OFFICER', 'SEGMENT', 'MONTH'],
    kind: 'MEAN',
  },
} as const satisfies Record<string, KpiDefinition>;

export type CustomerKpiMetric = keyof typeof CUSTOMER_KPIS;
