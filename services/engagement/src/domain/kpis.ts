import type { KpiDefinition } from '@crm/service-kit';
import { OFFER_KPIS } from './offers.ts';
import { SERVICE_CENTRE_KPIS } from './service-centre.ts';

/**
 * engagement's KPIs (`engagementKpi`): each metric's formula and the dimensions it may be grouped
 * by. The SQL (one grouped statement per metric) is in db/kpi.store.ts. Periods are UTC days:
 * `from` 00:00 inclusive to the day after `to` 00:00 exclusive. SEGMENT is not offered: segments are
 * evaluated live in customers and engagement keeps no copy of them (README).
 */
export const ENGAGEMENT_KPIS = {
  CHURN_RATE: {
    metric: 'CHURN_RATE',
    formula:
      "Share of the customer base lost in the period, from the customers' status lifecycle (CustomerRegistered, CustomerStatusChanged). denominator = customers whose status at the start of the period was ACTIVE or DORMANT; numerator = those of them who moved to CHURNED during the period; value = numerator / denominator. With MONTH every calendar month of [from, to] is its own period (clipped to from and to). BRANCH and OFFICER are the customer's branch and relationship manager now.",
    dimensions: ['BRANCH', 'OFFICER', 'MONTH'],
    kind: 'RATIO',
  },
  RETENTION_RATE: {
    metric: 'RETENTION_RATE',
    formula:
      'Share of the customer base kept over the period. denominator = customers whose status at the start of the period was ACTIVE or DORMANT (as CHURN_RATE); numerator = those of them whose status at the end of the period is not CHURNED; value = numerator / denominator (1 - CHURN_RATE unless a customer churned and came back within the period). MONTH, BRANCH and OFFICER as CHURN_RATE.',
    dimensions: ['BRANCH', 'OFFICER', 'MONTH'],
    kind: 'RATIO',
  },
  COMPLAINT_SLA_COMPLIANCE: {
    metric: 'COMPLAINT_SLA_COMPLIANCE',
    formula:
      "Share of complaints (kind COMPLAINT: suggestions and praise have no SLA) resolved within their resolution deadline. Complaints received in the period whose outcome is known: denominator = those RESOLVED or CLOSED, plus the unresolved ones whose resolution deadline has passed; numerator = those RESOLVED or CLOSED with resolvedAt <= resolveDueAt (a reopened complaint counts with its latest resolution and deadline); value = numerator / denominator. MONTH is the month received; BRANCH the customer's branch now; OFFICER the complaint's assignee.",
    dimensions: ['BRANCH', 'OFFICER', 'MONTH'],
    kind: 'RATIO',
  },
  COMPLAINT_RESOLUTION_HOURS: {
    metric: 'COMPLAINT_RESOLUTION_HOURS',
    formula:
      "Mean resolution time in hours of the complaints (kind COMPLAINT) RESOLVED or CLOSED with resolvedAt in the period: numerator = the sum of (resolvedAt - receivedAt) in hours (6 decimals); denominator = those complaints; value = numerator / denominator (2 decimals). MONTH is the month resolved; BRANCH the customer's branch now; OFFICER the complaint's assignee.",
    dimensions: ['BRANCH', 'OFFICER', 'MONTH'],
    kind: 'MEAN',
  },
  TASK_COMPLETION_RATE: {
    metric: 'TASK_COMPLETION_RATE',
    formula:
      "Share of the tasks due in the period that were done. denominator = tasks with dueAt in the period, except CANCELLED ones; numerator = those of them with status DONE; value = numerator / denominator. MONTH is the month due; BRANCH the customer's branch now; OFFICER the task's assignee.",
    dimensions: ['BRANCH', 'OFFICER', 'MONTH'],
    kind: 'RATIO',
  },
  TASK_OVERDUE_RATE: {
    metric: 'TASK_OVERDUE_RATE',
    formula:
      'Share of the tasks due in the period that ran late. denominator = tasks with dueAt in the period, except CANCELLED ones (as TASK_COMPLETION_RATE); numerator = those done after their due time (completedAt > dueAt) or still OPEN or IN_PROGRESS after it (dueAt < now); value = numerator / denominator. Dimensions as TASK_COMPLETION_RATE.',
    dimensions: ['BRANCH', 'OFFICER', 'MONTH'],
    kind: 'RATIO',
  },
  NPS: {
    metric: 'NPS',
    formula:
      "Net promoter score of the NPS answers given in the period, as a mean: each answer counts +100 when a promoter (9-10), 0 when passive (7-8), -100 when a detractor (0-6). numerator = 100 x (promoters - detractors); denominator = NPS answers; value = numerator / denominator (2 decimals, -100 to 100). MONTH is the month answered (the trend); BRANCH and OFFICER are the customer's branch and relationship manager when the survey was sent.",
    dimensions: ['BRANCH', 'OFFICER', 'MONTH'],
    kind: 'MEAN',
  },
  CSAT: {
    metric: 'CSAT',
    formula:
      'Average customer satisfaction (1-5) of the CSAT answers given in the period: numerator = the sum of the scores; denominator = CSAT answers; value = numerator / denominator (2 decimals). MONTH, BRANCH and OFFICER as NPS.',
    dimensions: ['BRANCH', 'OFFICER', 'MONTH'],
    kind: 'MEAN',
  },
  /** The service centre's (issue 15): domain/service-centre.ts. */
  ...SERVICE_CENTRE_KPIS,
  /** Offers and retention, did it work (issue 15): domain/offers.ts. */
  ...OFFER_KPIS,
} as const satisfies Record<string, KpiDefinition>;

export type EngagementKpiMetric = keyof typeof ENGAGEMENT_KPIS;
