import { isoDate, startOfDate } from '@crm/service-kit';
import type { Kysely } from 'kysely';
import { findOverdueReviews, findPlannableLoans, SETTING_MONITORING_LEAD_DAYS } from '../db/monitoring.store.ts';
import type { DB } from '../db/schema.ts';
import { findIntegerSetting } from '../db/setting.store.ts';
import { DEFAULT_MONITORING_LEAD_DAYS, overdueReviewTasks, plannedMonitoringTask } from '../domain/monitoring.ts';
import { createPlannedTask } from './create-planned-task.ts';

/** Loans read per page. */
export const PLAN_PAGE = 500;

/**
 * The `monitoring-plan` run for a date: plans, set-wise a page of loans at a time, the next
 * post-loan visit and credit review of every active loan that falls due within the lead days
 * (`monitoring_lead_days`) and has none open (db/monitoring.store.ts `findPlannableLoans`; the
 * rules in domain/monitoring.ts), each through `createPlannedTask` (TaskCreated; the customer's
 * service level and the contact rules shape it); then raises the officer's and the branch
 * manager's tasks for every planned review overdue on the date (once per review task). Repeatable:
 * a second run for the date plans and raises nothing new.
 */
export async function planMonitoring(
  db: Kysely<DB>,
  input: { asOf: string; now: Date; progress?: (done: number) => Promise<void> },
): Promise<{ visitsPlanned: number; reviewsPlanned: number; overdueReviews: number; escalationTasks: number }> {
  const counts = { visitsPlanned: 0, reviewsPlanned: 0, overdueReviews: 0, escalationTasks: 0 };
  const leadDays = await findIntegerSetting(db, SETTING_MONITORING_LEAD_DAYS, DEFAULT_MONITORING_LEAD_DAYS);
  let afterLoanId: string | null = null;
  for (;;) {
    const loans = await findPlannableLoans(db, { asOf: input.asOf, leadDays, afterLoanId, limit: PLAN_PAGE });
    if (!loans.length) break;
    await db.transaction().execute(async (tx) => {
      for (const l of loans) {
        const base = { loanId: l.loan_id, customerId: l.customer_id, assigneeId: l.assignee_id, riskClass: l.risk_class };
        if (
          l.visit_due_on &&
          (await createPlannedTask(tx, plannedMonitoringTask('VISIT', { ...base, dueOn: l.visit_due_on }), { sourceEventId: null, at: input.now }))
        )
          counts.visitsPlanned++;
        if (
          l.review_due_on &&
          (await createPlannedTask(tx, plannedMonitoringTask('REVIEW', { ...base, dueOn: l.review_due_on }), { sourceEventId: null, at: input.now }))
        )
          counts.reviewsPlanned++;
      }
    });
    afterLoanId = loans.at(-1)?.loan_id ?? null;
    await input.progress?.(counts.visitsPlanned + counts.reviewsPlanned);
    if (loans.length < PLAN_PAGE) break;
  }
  await db.transaction().execute(async (tx) => {
    const overdue = await findOverdueReviews(tx, startOfDate(input.asOf));
    counts.overdueReviews = overdue.length;
    for (const r of overdue) {
      const plans = overdueReviewTasks({
        reviewTaskId: r.task_id,
        loanId: r.loan_id,
        customerId: r.customer_id,
        // due by the end of its due date (the next day's start)
        dueOn: isoDate(new Date(r.due_at.getTime() - 1)),
        officerId: r.officer_id,
        branchManagerId: r.branch_manager_id,
        asOf: input.asOf,
      });
      for (const plan of plans) if (await createPlannedTask(tx, plan, { sourceEventId: null, at: input.now })) counts.escalationTasks++;
    }
  });
  return counts;
}
