import type { KpiDefinition, KpiDimension } from '@crm/service-kit';

/** Every loyalty KPI groups members by their branch, manager and tier now, and entries by month. */
const MEMBER_DIMENSIONS: readonly KpiDimension[] = ['BRANCH', 'OFFICER', 'TIER', 'MONTH'];

/**
 * loyalty's KPIs (`loyaltyKpi`): each metric's formula and the dimensions it may be grouped by.
 * The SQL (one grouped statement per metric) is in db/kpi.store.ts. Points come from the ledger;
 * BRANCH, OFFICER and TIER are the member's now (loyalty keeps no history of them); MONTH is the
 * calendar month (UTC) of the entry, or for the stock metrics the month whose end is measured.
 */
export const LOYALTY_KPIS = {
  POINTS_LIABILITY: {
    metric: 'POINTS_LIABILITY',
    formula:
      "Points liability: the points outstanding at the end of `to` (the sum of every ledger entry recorded before it) valued at the programme's point value (settings pointValue, in pointValueCurrency). numerator = outstanding points x point value, rounded to the currency's minor unit (HALF_EVEN) per group; denominator = the outstanding points; value = numerator. By MONTH: at the end of each month of the period (the last ends on `to`). Refused (BAD_USER_INPUT on metric) while no point value is set.",
    dimensions: [...MEMBER_DIMENSIONS, 'CURRENCY'],
    kind: 'TOTAL',
  },
  POINTS_OUTSTANDING: {
    metric: 'POINTS_OUTSTANDING',
    formula:
      'Points outstanding at the end of `to`: the sum of every ledger entry recorded before it. numerator = value = the points; denominator = the members with a positive balance. By MONTH: at the end of each month of the period.',
    dimensions: MEMBER_DIMENSIONS,
    kind: 'TOTAL',
  },
  POINTS_EARNED: {
    metric: 'POINTS_EARNED',
    formula:
      'Points earned in [from, to]: EARN entries plus positive ADJUST entries (pointsIssued of the programme summary). numerator = value = the points; denominator = the members who earned.',
    dimensions: MEMBER_DIMENSIONS,
    kind: 'TOTAL',
  },
  POINTS_REDEEMED: {
    metric: 'POINTS_REDEEMED',
    formula:
      'Points redeemed in [from, to]: REDEEM debits less refunds of cancelled redemptions (positive REVERSE entries). numerator = value = the points; denominator = the redemptions made in the period (REDEEM entries).',
    dimensions: MEMBER_DIMENSIONS,
    kind: 'TOTAL',
  },
  POINTS_EXPIRED: {
    metric: 'POINTS_EXPIRED',
    formula: 'Points expired in [from, to]: EXPIRE debits. numerator = value = the points; denominator = the members whose points expired.',
    dimensions: MEMBER_DIMENSIONS,
    kind: 'TOTAL',
  },
  REDEMPTION_RATE: {
    metric: 'REDEMPTION_RATE',
    formula:
      'Redemption rate: numerator = points redeemed in [from, to] (as POINTS_REDEEMED); denominator = points earned in [from, to] (as POINTS_EARNED); value = numerator / denominator (4 decimals, HALF_EVEN), null when nothing was earned.',
    dimensions: MEMBER_DIMENSIONS,
    kind: 'RATIO',
  },
} as const satisfies Record<string, KpiDefinition>;

export type LoyaltyKpiMetric = keyof typeof LOYALTY_KPIS;
