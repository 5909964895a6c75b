import type { DelinquencyBucket } from '@crm/events';
import { addDays, DAY_MS, endOfDate, type UserError, type Validation, validateWith } from '@crm/service-kit';
import { z } from 'zod';
import type { MonitoringCadenceKind, TaskPriority, TaskStatus, TaskType } from './types.ts';

/** How long the relationship manager has to make the welcome contact. */
export const WELCOME_CONTACT_DAYS = 3;
/** Default days after disbursement within which the post-loan visit is due (a setting overrides it). */
export const DEFAULT_POST_LOAN_VISIT_DAYS = 7;
/** Days the relationship manager has for a retention call. */
export const RETENTION_DAYS = 5;
/** Days to call back a customer who gave a low survey score. */
export const SERVICE_RECOVERY_DAYS = 2;

export interface TaskPlan {
  customerId: string;
  type: TaskType;
  title: string;
  assigneeId: string | null;
  priority: TaskPriority;
  dueAt: Date;
  /** The business fact the task is for: the same fact never creates two tasks. */
  dedupeKey?: string | null;
  loanId?: string | null;
  description?: string | null;
  /** A visit or review planned by the monitoring cadence (domain/monitoring.ts): at most one open of each per loan. */
  cadence?: MonitoringCadenceKind | null;
}

/**
 * A new customer gets a welcome contact from their relationship manager within a few days: one per
 * customer (business key), so the same registration under two event ids creates one task.
 */
export function welcomeTask(customer: { customerId: string; displayName: string; relationshipManagerId: string | null; registeredAt: string }): TaskPlan {
  return {
    customerId: customer.customerId,
    type: 'WELCOME',
    title: `Welcome call to ${customer.displayName}`,
    assigneeId: customer.relationshipManagerId,
    priority: 'NORMAL',
    dueAt: new Date(new Date(customer.registeredAt).getTime() + WELCOME_CONTACT_DAYS * DAY_MS),
    dedupeKey: `WELCOME:${customer.customerId}`,
  };
}

/** An open or in-progress task is overdue once its due time has passed. */
export function isOverdue(task: { status: string; dueAt: Date }, now: Date): boolean {
  return (task.status === 'OPEN' || task.status === 'IN_PROGRESS') && task.dueAt.getTime() < now.getTime();
}

export const OPEN_STATUSES: TaskStatus[] = ['OPEN', 'IN_PROGRESS'];

/** Legal moves of a task: open work can start, be done or be cancelled; done and cancelled are final. */
const TASK_TRANSITIONS: Record<TaskStatus, TaskStatus[]> = {
  OPEN: ['IN_PROGRESS', 'DONE', 'CANCELLED'],
  IN_PROGRESS: ['DONE', 'CANCELLED'],
  DONE: [],
  CANCELLED: [],
};

export function checkTaskTransition(from: TaskStatus, to: TaskStatus): UserError | null {
  if (TASK_TRANSITIONS[from].includes(to)) return null;
  return {
    field: 'taskId',
    code: 'INVALID_TASK_TRANSITION',
    message: `A ${from.toLowerCase().replace('_', ' ')} task cannot become ${to.toLowerCase().replace('_', ' ')}`,
  };
}

/** The days-past-due bucket (credit's boundaries: 1-30, 31-60, 61-90, 90+). */
export function bucketOfDaysPastDue(dpd: number): DelinquencyBucket {
  if (dpd <= 0) return 'CURRENT';
  if (dpd <= 30) return 'DPD_1_30';
  if (dpd <= 60) return 'DPD_31_60';
  if (dpd <= 90) return 'DPD_61_90';
  return 'DPD_90_PLUS';
}

const BUCKET_PRIORITY: Record<DelinquencyBucket, TaskPriority> = {
  CURRENT: 'LOW',
  DPD_1_30: 'NORMAL',
  DPD_31_60: 'HIGH',
  DPD_61_90: 'URGENT',
  DPD_90_PLUS: 'URGENT',
};

/**
 * One collection reminder per loan and delinquency bucket, due the day after the as-of run:
 * repeated overdue events of the same loan and bucket (daily runs, several instalments, a
 * redelivery) share the key and create nothing more; a worse bucket is a new reminder.
 */
export function collectionTask(input: {
  customerId: string;
  loanId: string;
  bucket: DelinquencyBucket;
  daysPastDue: number;
  asOf: string;
  assigneeId: string | null;
}): TaskPlan | null {
  if (input.bucket === 'CURRENT') return null;
  return {
    customerId: input.customerId,
    type: 'COLLECTION_REMINDER',
    title: `Collection call: loan ${input.loanId} is ${input.daysPastDue} days past due`,
    assigneeId: input.assigneeId,
    priority: BUCKET_PRIORITY[input.bucket],
    dueAt: endOfDate(input.asOf),
    dedupeKey: `COLLECTION:${input.loanId}:${input.bucket}`,
    loanId: input.loanId,
  };
}

/** The post-loan visit is due by the end of the N-th day after disbursement. */
export function postLoanVisitTask(input: { customerId: string; loanId: string; disbursedOn: string; days: number; assigneeId: string | null }): TaskPlan {
  return {
    customerId: input.customerId,
    type: 'POST_LOAN_VISIT',
    title: `Post-loan visit: check the use of funds of loan ${input.loanId}`,
    assigneeId: input.assigneeId,
    priority: 'NORMAL',
    dueAt: endOfDate(addDays(input.disbursedOn, input.days)),
    dedupeKey: `POST_LOAN_VISIT:${input.loanId}`,
    loanId: input.loanId,
  };
}

export type WarningSeverity = 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

const SEVERITY_PRIORITY: Record<WarningSeverity, TaskPriority> = { LOW: 'LOW', MEDIUM: 'NORMAL', HIGH: 'HIGH', CRITICAL: 'URGENT' };

export function priorityFromSeverity(severity: WarningSeverity): TaskPriority {
  return SEVERITY_PRIORITY[severity];
}

/** A raised warning is reviewed by the loan officer by the warning's response deadline; an escalation is urgent. */
export function riskWarningTask(input: {
  customerId: string;
  loanId: string;
  warningId: string;
  ruleCode: string;
  severity: WarningSeverity;
  assigneeId: string | null;
  dueAt: Date;
  escalated: boolean;
}): TaskPlan {
  return {
    customerId: input.customerId,
    type: 'CREDIT_REVIEW',
    title: `${input.escalated ? 'Escalated risk warning' : 'Risk warning'} ${input.ruleCode} on loan ${input.loanId}`,
    assigneeId: input.assigneeId,
    priority: input.escalated ? 'URGENT' : priorityFromSeverity(input.severity),
    dueAt: input.dueAt,
    dedupeKey: `${input.escalated ? 'RISK_ESCALATION' : 'RISK_WARNING'}:${input.warningId}`,
    loanId: input.loanId,
  };
}

/** A retention call by the relationship manager, due within RETENTION_DAYS (sooner when the deadline is closer). */
export function retentionTask(input: {
  customerId: string;
  reason: string;
  dedupeKey: string;
  assigneeId: string | null;
  from: Date;
  deadline: Date | null;
  priority: TaskPriority;
}): TaskPlan {
  const due = new Date(input.from.getTime() + RETENTION_DAYS * DAY_MS);
  return {
    customerId: input.customerId,
    type: 'RETENTION',
    title: `Retention call: ${input.reason}`,
    assigneeId: input.assigneeId,
    priority: input.priority,
    dueAt: input.deadline && input.deadline.getTime() < due.getTime() ? input.deadline : due,
    dedupeKey: input.dedupeKey,
  };
}

/** A low survey score is called back quickly. */
export function serviceRecoveryTask(input: {
  customerId: string;
  responseId: string;
  npsScore: number | null;
  csatScore: number | null;
  assigneeId: string | null;
  at: Date;
}): TaskPlan {
  const scores = [input.npsScore !== null ? `NPS ${input.npsScore}` : null, input.csatScore !== null ? `CSAT ${input.csatScore}` : null]
    .filter(Boolean)
    .join(', ');
  return {
    customerId: input.customerId,
    type: 'SERVICE_RECOVERY',
    title: `Service recovery: low survey score (${scores})`,
    assigneeId: input.assigneeId,
    priority: 'HIGH',
    dueAt: new Date(input.at.getTime() + SERVICE_RECOVERY_DAYS * DAY_MS),
    dedupeKey: `SERVICE_RECOVERY:${input.responseId}`,
  };
}

/** Urgency rank of a priority, most urgent first (0). */
export const PRIORITY_RANK: Record<TaskPriority, number> = { URGENT: 0, HIGH: 1, NORMAL: 2, LOW: 3 };

/** The worklist order: overdue first, then priority, then due time, then id (stable). */
export function compareWorklist(
  a: { priority: TaskPriority; dueAt: Date; id: string },
  b: { priority: TaskPriority; dueAt: Date; id: string },
  now: Date,
): number {
  const overdue = (t: { dueAt: Date }) => (t.dueAt.getTime() < now.getTime() ? 0 : 1);
  return (
    overdue(a) - overdue(b) ||
    PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] ||
    a.dueAt.getTime() - b.dueAt.getTime() ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

export interface NewTaskRecord {
  customerId: string;
  type: TaskType;
  title: string;
  description: string | null;
  assigneeId: string | null;
  priority: TaskPriority;
  dueAt: Date;
}

/** Validates a task created by hand; its due time may not lie in the past. */
export function validateNewTask(input: unknown, now: Date): Validation<NewTaskRecord> {
  const schema = z.object({
    customerId: z.string().min(1),
    type: z.enum(['WELCOME', 'FOLLOW_UP', 'POST_LOAN_VISIT', 'COLLECTION_REMINDER', 'RETENTION', 'SERVICE_RECOVERY', 'CREDIT_REVIEW', 'CARE']),
    title: z.string().trim().min(1, 'must not be blank').max(200, 'must be at most 200 characters'),
    description: z
      .string()
      .trim()
      .max(4000)
      .nullish()
      .transform((v) => v || null),
    assigneeId: z
      .string()
      .nullish()
      .transform((v) => v || null),
    priority: z
      .enum(['LOW', 'NORMAL', 'HIGH', 'URGENT'])
      .nullish()
      .transform((v) => v ?? 'NORMAL'),
    dueAt: z.date().refine((d) => d.getTime() >= now.getTime() - 60_000, { message: 'cannot be in the past', params: { code: 'DATE_IN_PAST' } }),
  });
  return validateWith(schema, input);
}

/** Days the relationship manager has to offer a renewal after a loan was repaid on time. */
export const RENEWAL_CALL_DAYS = 7;

/** A loan repaid on time and in full: the relationship manager calls about a next loan. */
export function renewalTask(input: { customerId: string; loanId: string; closedOn: string; assigneeId: string | null }): TaskPlan {
  return {
    customerId: input.customerId,
    type: 'FOLLOW_UP',
    title: `Renewal call: loan ${input.loanId} was repaid on time`,
    assigneeId: input.assigneeId,
    priority: 'NORMAL',
    dueAt: endOfDate(addDays(input.closedOn, RENEWAL_CALL_DAYS)),
    dedupeKey: `RENEWAL:${input.loanId}`,
    loanId: input.loanId,
  };
}

/** A complaint that missed a deadline goes back to its handler (else the relationship manager), urgently. */
export function complaintEscalationTask(input: {
  customerId: string;
  complaintId: string;
  breach: 'ACKNOWLEDGE' | 'RESOLVE';
  assigneeId: string | null;
  at: Date;
}): TaskPlan {
  return {
    customerId: input.customerId,
    type: 'SERVICE_RECOVERY',
    title: `Complaint ${input.breach === 'ACKNOWLEDGE' ? 'not acknowledged' : 'not resolved'} within its SLA`,
    assigneeId: input.assigneeId,
    priority: 'URGENT',
    dueAt: new Date(input.at.getTime() + DAY_MS),
    dedupeKey: `COMPLAINT_ESCALATION:${input.complaintId}:${input.breach}`,
  };
}
