import { DAY_MS, type UserError, type Validation } from '@crm/service-kit';
import type { ComplaintSlaPolicy } from './complaints.ts';
import type { TaskPriority } from './types.ts';

/**
 * Service levels by grade and care need: one table (`service_level`, data, editable by branch
 * managers for their branch and administrators for every branch, audited) says, for each grade
 * (VIP, PREMIUM, STANDARD, BASIC) and each special-care need (ELDERLY, DISABLED, ...), the lowest
 * priority of the customer's tasks, how much of a planned task's lead time and of the complaint
 * SLA is kept, the worklist points the grade (VALUE) or the need (CARE) adds, and the extra care
 * touches the need calls for (a call-back every N days, a home visit instead of a branch visit).
 *
 * A customer's level is the most favourable of their grade's row and their needs' rows: the
 * highest priority floor, the shortest due and SLA percentages, the grade's points as VALUE and
 * the highest need's points as CARE, the most frequent call-back, a home visit if any need calls
 * for one. A branch's own row for a grade or need replaces the institution's default row (branch
 * ''), row by row. The SQL of the worklist and of the call-back run (db/service-level.store.ts)
 * computes the same thing; test/service-levels.db.test.ts compares both.
 */

export const GRADES = ['VIP', 'PREMIUM', 'STANDARD', 'BASIC'] as const;
export type Grade = (typeof GRADES)[number];
/** The customers catalogue's special-care flags (packages/events specialCareFlag). */
export const CARE_NEEDS = ['ELDERLY', 'DISABLED', 'LOW_LITERACY', 'VISUALLY_IMPAIRED', 'HEARING_IMPAIRED', 'LANGUAGE_BARRIER', 'FINANCIAL_HARDSHIP'] as const;
export type CareNeed = (typeof CARE_NEEDS)[number];
export type ServiceLevelKind = 'GRADE' | 'CARE';

/** The institution's default rows are stored with this branch id. */
export const DEFAULT_BRANCH = '';

/** One row of the service-level table. */
export interface ServiceLevel {
  kind: ServiceLevelKind;
  code: string;
  /** Null: the institution's default row. */
  branchId: string | null;
  taskPriorityFloor: TaskPriority;
  /** Share of a planned task's lead time kept (100 = unchanged, 50 = due in half the time). */
  taskDuePercent: number;
  /** Share of the severity's complaint SLA kept (acknowledge hours and resolve days alike). */
  complaintSlaPercent: number;
  /** Worklist points: VALUE for a grade, CARE for a need. */
  worklistPoints: number;
  /** A care call-back every N days (needs only). */
  callbackEveryDays: number | null;
  /** Visits happen at the customer's home, not at the branch (needs only). */
  homeVisit: boolean;
}

/** Bounds of the table's values (also CHECK constraints of migration 0010). */
export const DUE_PERCENT_RANGE = [10, 100] as const;
export const SLA_PERCENT_RANGE = [10, 100] as const;
/** VALUE points of a grade, CARE points of a need: under 100 together with RISK and CHURN (domain/worklist.ts), so they never outrank a priority step. */
export const MAX_WORKLIST_POINTS: Record<ServiceLevelKind, number> = { GRADE: 25, CARE: 20 };
export const CALLBACK_DAYS_RANGE = [1, 365] as const;

export const PRIORITY_ORDER: readonly TaskPriority[] = ['LOW', 'NORMAL', 'HIGH', 'URGENT'];

/** The more urgent of two priorities. */
export function raisePriority(priority: TaskPriority, floor: TaskPriority): TaskPriority {
  return PRIORITY_ORDER.indexOf(floor) > PRIORITY_ORDER.indexOf(priority) ? floor : priority;
}

/** What applies to one customer (the combination of their grade's and needs' rows). */
export interface EffectiveServiceLevel {
  grade: string | null;
  careNeeds: string[];
  taskPriorityFloor: TaskPriority;
  taskDuePercent: number;
  complaintSlaPercent: number;
  /** The grade's worklist points. */
  valuePoints: number;
  /** The highest worklist points of the customer's needs. */
  carePoints: number;
  callbackEveryDays: number | null;
  homeVisit: boolean;
}

/** A customer without grade or needs (or before engagement learned of them): nothing changes. */
export const NEUTRAL_SERVICE_LEVEL: Omit<EffectiveServiceLevel, 'grade' | 'careNeeds'> = {
  taskPriorityFloor: 'LOW',
  taskDuePercent: 100,
  complaintSlaPercent: 100,
  valuePoints: 0,
  carePoints: 0,
  callbackEveryDays: null,
  homeVisit: false,
};

/** The row that applies to a grade or need in a branch: the branch's own, else the default; undefined when neither exists. */
export function serviceLevelRow(levels: readonly ServiceLevel[], kind: ServiceLevelKind, code: string, branchId: string | null): ServiceLevel | undefined {
  const of = (branch: string | null) => levels.find((l) => l.kind === kind && l.code === code && (l.branchId ?? DEFAULT_BRANCH) === (branch ?? DEFAULT_BRANCH));
  return (branchId ? of(branchId) : undefined) ?? of(null);
}

/** The customer's service level: the most favourable combination of their grade's and needs' rows (see the module comment). */
export function effectiveServiceLevel(
  levels: readonly ServiceLevel[],
  customer: { branchId: string | null; grade: string | null; careNeeds: readonly string[] },
): EffectiveServiceLevel {
  const careNeeds = [...new Set(customer.careNeeds)].sort();
  const gradeRow = customer.grade ? serviceLevelRow(levels, 'GRADE', customer.grade, customer.branchId) : undefined;
  const needRows = careNeeds.map((n) => serviceLevelRow(levels, 'CARE', n, customer.branchId)).filter((r): r is ServiceLevel => r !== undefined);
  const rows = [...(gradeRow ? [gradeRow] : []), ...needRows];
  const callbacks = needRows.map((r) => r.callbackEveryDays).filter((d): d is number => d !== null);
  return {
    grade: customer.grade,
    careNeeds,
    taskPriorityFloor: rows.reduce<TaskPriority>((p, r) => raisePriority(p, r.taskPriorityFloor), NEUTRAL_SERVICE_LEVEL.taskPriorityFloor),
    taskDuePercent: Math.min(NEUTRAL_SERVICE_LEVEL.taskDuePercent, ...rows.map((r) => r.taskDuePercent)),
    complaintSlaPercent: Math.min(NEUTRAL_SERVICE_LEVEL.complaintSlaPercent, ...rows.map((r) => r.complaintSlaPercent)),
    valuePoints: gradeRow?.worklistPoints ?? 0,
    carePoints: Math.max(0, ...needRows.map((r) => r.worklistPoints)),
    callbackEveryDays: callbacks.length ? Math.min(...callbacks) : null,
    homeVisit: needRows.some((r) => r.homeVisit),
  };
}

/**
 * A planned task's due time under the service level: the lead time from `from` (when the task is
 * planned) is cut to `percent` of itself (whole minutes, rounded down). A due time already passed
 * stays as it is.
 */
export function shortenDue(dueAt: Date, from: Date, percent: number): Date {
  const lead = dueAt.getTime() - from.getTime();
  if (lead <= 0 || percent >= 100) return dueAt;
  const kept = Math.floor((lead * percent) / 100 / 60_000) * 60_000;
  return new Date(from.getTime() + kept);
}

/** The severity's complaint SLA under the service level: both deadlines at `percent` of their length (exact, in milliseconds). */
export function scaleComplaintSla(sla: ComplaintSlaPolicy, percent: number): ComplaintSlaPolicy {
  if (percent >= 100) return sla;
  // kept in hours and days as the severity table states them; slaDeadlines turns them into instants
  return { acknowledgeHours: (sla.acknowledgeHours * percent) / 100, resolveDays: (sla.resolveDays * percent) / 100 };
}

/** A change to one row: fields left out keep the value of the row that applies now (the branch's, else the default). */
export interface ServiceLevelChange {
  branchId: string | null;
  kind: ServiceLevelKind;
  code: string;
  taskPriorityFloor?: TaskPriority | null;
  taskDuePercent?: number | null;
  complaintSlaPercent?: number | null;
  worklistPoints?: number | null;
  callbackEveryDays?: number | null;
  homeVisit?: boolean | null;
}

/** The code of a row names a grade or a need of its kind. */
export function checkServiceLevelCode(kind: ServiceLevelKind, code: string): UserError | null {
  const known: readonly string[] = kind === 'GRADE' ? GRADES : CARE_NEEDS;
  if (known.includes(code)) return null;
  return { field: 'code', code: 'INVALID_VALUE', message: `A ${kind.toLowerCase()} service level is one of ${known.join(', ')}` };
}

/**
 * Applies a change to the row that applies now (`current`, possibly the default) and checks the
 * result: percentages 10-100, worklist points 0-25 for a grade and 0-20 for a need, a call-back
 * every 1-365 days and home visits for needs only (a grade has none).
 */
export function applyServiceLevelChange(current: ServiceLevel, change: ServiceLevelChange): Validation<ServiceLevel> {
  const errors: UserError[] = [];
  const pick = <T>(value: T | null | undefined, fallback: T): T => (value === undefined || value === null ? fallback : value);
  const next: ServiceLevel = {
    kind: change.kind,
    code: change.code,
    branchId: change.branchId,
    taskPriorityFloor: pick(change.taskPriorityFloor, current.taskPriorityFloor),
    taskDuePercent: pick(change.taskDuePercent, current.taskDuePercent),
    complaintSlaPercent: pick(change.complaintSlaPercent, current.complaintSlaPercent),
    worklistPoints: pick(change.worklistPoints, current.worklistPoints),
    // a call-back is switched off with null: left out keeps it, null clears it
    callbackEveryDays: change.callbackEveryDays === undefined ? current.callbackEveryDays : change.callbackEveryDays,
    homeVisit: pick(change.homeVisit, current.homeVisit),
  };
  const range = (field: string, value: number, [min, max]: readonly [number, number]) => {
    if (!Number.isInteger(value) || value < min || value > max)
      errors.push({ field, code: 'OUT_OF_RANGE', message: `must be a whole number from ${min} to ${max}` });
  };
  range('taskDuePercent', next.taskDuePercent, DUE_PERCENT_RANGE);
  range('complaintSlaPercent', next.complaintSlaPercent, SLA_PERCENT_RANGE);
  range('worklistPoints', next.worklistPoints, [0, MAX_WORKLIST_POINTS[next.kind]]);
  if (next.callbackEveryDays !== null) {
    if (next.kind === 'GRADE')
      errors.push({ field: 'callbackEveryDays', code: 'NOT_ALLOWED', message: 'Call-backs are a care need’s extra touch, not a grade’s' });
    else range('callbackEveryDays', next.callbackEveryDays, CALLBACK_DAYS_RANGE);
  }
  if (next.homeVisit && next.kind === 'GRADE')
    errors.push({ field: 'homeVisit', code: 'NOT_ALLOWED', message: 'Home visits are a care need’s extra touch, not a grade’s' });
  return errors.length ? { ok: false, errors } : { ok: true, value: next };
}

/** The lead time of a care call-back: `every` days after the previous one was done or cancelled (or the need was recorded). */
export function nextCallbackDue(anchor: Date, everyDays: number, notBefore: Date): Date {
  const due = new Date(anchor.getTime() + everyDays * DAY_MS);
  return due.getTime() < notBefore.getTime() ? notBefore : due;
}
