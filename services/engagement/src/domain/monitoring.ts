import { addDays, endOfDate, isoDate, type UserError, type Validation, validateWith } from '@crm/service-kit';
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import type { TaskPlan } from './tasks.ts';
import type { MonitoringCadenceKind, RiskClass, TaskPriority, VisitConcern } from './types.ts';

/**
 * Visits and reviews by risk (issue 15): post-loan visits and credit reviews recur at a cadence
 * per risk class and loan size (the `monitoring_cadence` table), are planned as tasks a few days
 * ahead, move when the loan's risk class changes, and an overdue review is escalated to the
 * officer and the branch manager. Pure rules; the SQL of the planning job repeats `cadenceFor`
 * and `nextDueOn` (test/monitoring.db.test.ts compares them loan by loan).
 */

export const RISK_CLASSES: readonly RiskClass[] = ['NORMAL', 'SPECIAL_MENTION', 'SUBSTANDARD', 'DOUBTFUL', 'LOSS'];

export interface CadenceBand {
  riskClass: RiskClass;
  /** Decimal string: loans of at least this principal. */
  minPrincipal: string;
  visitEveryDays: number;
  reviewEveryDays: number;
}

/**
 * The band of a loan: of its risk class, the one with the highest minimum principal not above
 * the loan's principal (an unknown principal counts as 0).
 */
export function cadenceFor(bands: readonly CadenceBand[], riskClass: RiskClass, principal: string | null): CadenceBand | null {
  const amount = new Decimal(principal ?? 0);
  let best: CadenceBand | null = null;
  for (const b of bands) {
    if (b.riskClass !== riskClass || new Decimal(b.minPrincipal).gt(amount)) continue;
    if (!best || new Decimal(b.minPrincipal).gt(best.minPrincipal)) best = b;
  }
  return best;
}

/** Days between two tasks of a cadence kind in a band. */
export const everyDays = (band: CadenceBand, kind: MonitoringCadenceKind) => (kind === 'VISIT' ? band.visitEveryDays : band.reviewEveryDays);

/** The next visit (review) is due one interval after the last one, or after the disbursement. */
export function nextDueOn(input: { disbursedOn: string; lastOn: string | null; everyDays: number }): string {
  return addDays(input.lastOn ?? input.disbursedOn, input.everyDays);
}

/** Default days ahead of its due date a visit or review is planned as a task (the `monitoring_lead_days` setting). */
export const DEFAULT_MONITORING_LEAD_DAYS = 14;

/** A task is planned once its due date is within the lead days of the run's date. */
export const isPlannable = (dueOn: string, asOf: string, leadDays: number) => dueOn <= addDays(asOf, leadDays);

/** A task planned late (its date passed, e.g. a loan never reviewed whose class worsened) is due on the run's date. */
export const plannedDueOn = (dueOn: string, asOf: string) => (dueOn < asOf ? asOf : dueOn);

/**
 * A risk-class change moves an open planned task to the new cadence's due date, never before the
 * day of the change (a task falling due in the past is due that day).
 */
export function rescheduledDueOn(input: { disbursedOn: string; lastOn: string | null; everyDays: number; changedOn: string }): string {
  const due = nextDueOn(input);
  // biome-ignore lint/complexity/useMathMinMax: YYYY-MM-DD dates compare as text; Math.max would make them numbers
  return due < input.changedOn ? input.changedOn : due;
}

/** Priority of planned visits and reviews: the worse the class, the more urgent. */
export const PLANNED_PRIORITY: Record<RiskClass, TaskPriority> = {
  NORMAL: 'NORMAL',
  SPECIAL_MENTION: 'NORMAL',
  SUBSTANDARD: 'HIGH',
  DOUBTFUL: 'HIGH',
  LOSS: 'URGENT',
};

/** Days the officer and the branch manager have to act on an overdue review. */
export const OVERDUE_REVIEW_ESCALATION_DAYS = 2;

/** A review task is overdue on a date once its due date is before that date. */
export const isReviewOverdue = (dueOn: string, asOf: string) => dueOn < asOf;

/** Who is told of an overdue review. */
export const OVERDUE_REVIEW_RECIPIENTS = ['OFFICER', 'BRANCH_MANAGER'] as const;

/** Longest interval of a cadence (two years). */
export const MAX_CADENCE_DAYS = 730;

/** The whole cadence table: every class from 0, each band once, intervals of 1 to 730 days, amounts >= 0. */
export function validateCadence(input: unknown): Validation<CadenceBand[]> {
  const parsed = validateWith(
    z.object({
      bands: z
        .array(
          z.object({
            riskClass: z.enum(RISK_CLASSES as [RiskClass, ...RiskClass[]]),
            minPrincipal: z
              .string()
              .trim()
              .regex(/^\d+(\.\d{1,2})?$/, 'must be an amount >= 0 with at most 2 decimals'),
            visitEveryDays: z.number().int().min(1).max(MAX_CADENCE_DAYS),
            reviewEveryDays: z.number().int().min(1).max(MAX_CADENCE_DAYS),
          }),
        )
        .min(1)
        .max(100),
    }),
    input,
  );
  if (!parsed.ok) return parsed;
  const bands = parsed.value.bands.map((b) => ({ ...b, minPrincipal: new Decimal(b.minPrincipal).toFixed(2) }));
  const errors: UserError[] = [];
  const keys = bands.map((b) => `${b.riskClass}:${b.minPrincipal}`);
  if (new Set(keys).size !== keys.length)
    errors.push({ field: 'bands', code: 'DUPLICATE_BAND', message: 'each risk class and minimum principal at most once' });
  const missing = RISK_CLASSES.filter((c) => !bands.some((b) => b.riskClass === c && new Decimal(b.minPrincipal).isZero()));
  if (missing.length)
    errors.push({ field: 'bands', code: 'MISSING_ZERO_BAND', message: `every risk class needs a band from 0 (missing: ${missing.join(', ')})` });
  return errors.length ? { ok: false, errors } : { ok: true, value: bands };
}

export interface VisitOutcomeInput {
  visitedOn: string;
  customerMet: boolean;
  businessOperating: boolean | null;
  fundUseAsDeclared: boolean | null;
  concerns: VisitConcern[];
  note: string | null;
}

export const VISIT_CONCERNS: readonly VisitConcern[] = [
  'BUSINESS_DECLINING',
  'STOCK_OR_ASSETS_MISSING',
  'COLLATERAL_MISSING',
  'OTHER_DEBTS',
  'HOUSEHOLD_HARDSHIP',
  'RELOCATED',
  'OTHER',
];

/** A visit's outcome: on a day not in the future, concerns listed once each, a note of at most 2000 characters (OTHER needs one). */
export function validateVisitOutcome(input: unknown, now: Date): Validation<VisitOutcomeInput> {
  const today = isoDate(now);
  const parsed = validateWith(
    z.object({
      visitedOn: z
        .string()
        .nullish()
        .transform((v) => v ?? today)
        .refine((v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)), {
          message: 'must be a date YYYY-MM-DD',
          params: { code: 'INVALID_DATE' },
        })
        .refine((v) => v <= today, { message: 'cannot be in the future', params: { code: 'DATE_IN_FUTURE' } }),
      customerMet: z.boolean(),
      businessOperating: z
        .boolean()
        .nullish()
        .transform((v) => v ?? null),
      fundUseAsDeclared: z
        .boolean()
        .nullish()
        .transform((v) => v ?? null),
      concerns: z
        .array(z.enum(VISIT_CONCERNS as [VisitConcern, ...VisitConcern[]]))
        .nullish()
        .transform((v) => [...new Set(v ?? [])]),
      note: z
        .string()
        .trim()
        .max(2000)
        .nullish()
        .transform((v) => v || null),
    }),
    input,
  );
  if (!parsed.ok) return parsed;
  if (parsed.value.concerns.includes('OTHER') && !parsed.value.note)
    return { ok: false, errors: [{ field: 'note', code: 'REQUIRED', message: 'describe the OTHER concern in the note' }] };
  return parsed;
}

/** The task titles of planned work (they name the loan, not the customer). */
export const plannedTaskTitle = (kind: MonitoringCadenceKind, loanId: string, riskClass: RiskClass) =>
  `${kind === 'VISIT' ? 'Periodic post-loan visit' : 'Periodic credit review'}: loan ${loanId} (${riskClass})`;

/**
 * The task of a planned visit (POST_LOAN_VISIT) or review (CREDIT_REVIEW), due at the end of its
 * due date, for the loan officer (else the relationship manager), with the class's priority. No
 * dedupe key: the open-task index allows one open planned visit and one review per loan.
 */
export function plannedMonitoringTask(
  kind: MonitoringCadenceKind,
  input: { loanId: string; customerId: string; assigneeId: string | null; riskClass: RiskClass; dueOn: string },
): TaskPlan {
  return {
    customerId: input.customerId,
    type: kind === 'VISIT' ? 'POST_LOAN_VISIT' : 'CREDIT_REVIEW',
    title: plannedTaskTitle(kind, input.loanId, input.riskClass),
    assigneeId: input.assigneeId,
    priority: PLANNED_PRIORITY[input.riskClass],
    dueAt: endOfDate(input.dueOn),
    loanId: input.loanId,
    cadence: kind,
  };
}

/**
 * An overdue review raises two urgent tasks, once per review task: one for the loan officer (else
 * the relationship manager) and one for the branch manager (unassigned when the branch has none
 * on record: the branch's task list shows it), due OVERDUE_REVIEW_ESCALATION_DAYS after the run.
 */
export function overdueReviewTasks(input: {
  reviewTaskId: string;
  loanId: string;
  customerId: string;
  dueOn: string;
  officerId: string | null;
  branchManagerId: string | null;
  asOf: string;
}): TaskPlan[] {
  const dueAt = endOfDate(addDays(input.asOf, OVERDUE_REVIEW_ESCALATION_DAYS));
  return OVERDUE_REVIEW_RECIPIENTS.map((who) => ({
    customerId: input.customerId,
    type: 'CREDIT_REVIEW',
    title: `Overdue credit review: loan ${input.loanId} was due for review on ${input.dueOn}${who === 'BRANCH_MANAGER' ? ' (branch manager)' : ''}`,
    assigneeId: who === 'OFFICER' ? input.officerId : input.branchManagerId,
    priority: 'URGENT',
    dueAt,
    dedupeKey: `REVIEW_OVERDUE:${input.reviewTaskId}:${who}`,
    loanId: input.loanId,
  }));
}

/**
 * What `completeTask` refuses (issue 15): a post-loan visit of a loan is completed with its outcome
 * (`recordVisitOutcome`: VISIT_OUTCOME_REQUIRED), a planned credit review by credit recording the
 * review (`recordCreditReview` there: REVIEW_RECORDED_IN_CREDIT); both keep the cadence counting
 * from the real visit or review.
 */
export function completionRefusal(task: { type: string; loanId: string | null; cadence: MonitoringCadenceKind | null }): UserError | null {
  if (task.type === 'POST_LOAN_VISIT' && task.loanId)
    return { field: 'taskId', code: 'VISIT_OUTCOME_REQUIRED', message: 'A post-loan visit is completed with its outcome: use recordVisitOutcome' };
  if (task.cadence === 'REVIEW')
    return {
      field: 'taskId',
      code: 'REVIEW_RECORDED_IN_CREDIT',
      message: 'A planned credit review is completed when credit records the review (recordCreditReview)',
    };
  return null;
}
