import type { UserError } from '@crm/service-kit';
import type { Decimal } from 'decimal.js';
import { daysBetween } from './dates.ts';
import { penaltyDue } from './delinquency.ts';
import type { RoundingMode } from './money.ts';

export type CrisisMeasureKind = 'PAYMENT_HOLIDAY' | 'PENALTY_WAIVER';
export type CustomerKind = 'INDIVIDUAL' | 'ENTERPRISE';

/**
 * Who a crisis measure covers: the customers (and so their active loans) meeting every criterion
 * given, any value of a list (branch, region, industry, customer kind, explicit customers such as
 * a segment's members listed by customers). An empty list does not restrict.
 */
export interface CrisisScope {
  branchIds: string[];
  regions: string[];
  industries: string[];
  customerKinds: CustomerKind[];
  customerIds: string[];
}

export interface CrisisMeasureInput {
  name: string;
  kind: CrisisMeasureKind;
  reason: string;
  scope: Partial<CrisisScope>;
  instalments: number | null;
  effectiveOn: string | null;
  waiverFrom: string | null;
  waiverTo: string | null;
}

/** Longest penalty waiver, in days (a year: a longer relief is a restructuring, not a waiver). */
export const MAX_WAIVER_DAYS = 366;
/** Most values a scope list may carry (a segment of customers is listed by id). */
export const MAX_SCOPE_VALUES = 5000;

const err = (field: string, code: string, message: string): UserError => ({ field, code, message });
const clean = (values: readonly string[] | null | undefined) => [...new Set((values ?? []).map((v) => v.trim()).filter(Boolean))];

/**
 * Checks a declaration and returns the scope to store. A caller bound to a branch (a branch
 * manager) declares for their own branch only: the scope's branches are theirs (OUT_OF_SCOPE
 * when other branches are named). At least one criterion is required (SCOPE_REQUIRED): a measure
 * is never institution-wide by omission. A payment holiday defers 1 to 24 instalments from
 * `effectiveOn`; a penalty waiver covers waiverFrom..waiverTo (inclusive, at most a year).
 */
export function validateCrisisMeasure(
  input: CrisisMeasureInput,
  caller: { branchId: string | null },
): { ok: true; scope: CrisisScope } | { ok: false; errors: UserError[] } {
  const errors: UserError[] = [];
  if (!input.name.trim()) errors.push(err('name', 'REQUIRED', 'name the measure (e.g. "Flood relief, Kaolack 2026")'));
  else if (input.name.trim().length > 200) errors.push(err('name', 'TOO_BIG', 'at most 200 characters'));
  if (!input.reason.trim()) errors.push(err('reason', 'REQUIRED', 'say why the measure is needed'));
  const scope: CrisisScope = {
    branchIds: clean(input.scope.branchIds),
    regions: clean(input.scope.regions),
    industries: clean(input.scope.industries),
    customerKinds: [...new Set(input.scope.customerKinds ?? [])],
    customerIds: clean(input.scope.customerIds),
  };
  for (const [field, values] of Object.entries(scope))
    if (values.length > MAX_SCOPE_VALUES) errors.push(err(`scope.${field}`, 'TOO_BIG', `at most ${MAX_SCOPE_VALUES} values`));
  if (caller.branchId !== null) {
    if (scope.branchIds.some((b) => b !== caller.branchId))
      errors.push(err('scope.branchIds', 'OUT_OF_SCOPE', `a branch-bound declarer covers their branch ${caller.branchId} only`));
    scope.branchIds = [caller.branchId];
  }
  if (Object.values(scope).every((v) => v.length === 0))
    errors.push(err('scope', 'SCOPE_REQUIRED', 'name at least one branch, region, industry, customer kind or customer'));
  if (input.kind === 'PAYMENT_HOLIDAY') {
    if (input.instalments === null) errors.push(err('instalments', 'REQUIRED', 'a payment holiday defers a number of instalments'));
    else if (input.instalments < 1 || input.instalments > 24) errors.push(err('instalments', 'OUT_OF_RANGE', 'must be between 1 and 24'));
    if (!input.effectiveOn) errors.push(err('effectiveOn', 'REQUIRED', 'instalments due on or after this date are deferred'));
  } else {
    if (!input.waiverFrom) errors.push(err('waiverFrom', 'REQUIRED', 'the first day without penalty'));
    if (!input.waiverTo) errors.push(err('waiverTo', 'REQUIRED', 'the last day without penalty'));
    if (input.waiverFrom && input.waiverTo) {
      if (input.waiverTo < input.waiverFrom) errors.push(err('waiverTo', 'INVALID_RANGE', 'must not be before waiverFrom'));
      else if (daysBetween(input.waiverFrom, input.waiverTo) + 1 > MAX_WAIVER_DAYS)
        errors.push(err('waiverTo', 'OUT_OF_RANGE', `a waiver covers at most ${MAX_WAIVER_DAYS} days`));
    }
  }
  return errors.length ? { ok: false, errors } : { ok: true, scope };
}

/** A penalty waiver's days, inclusive. */
export interface WaiverWindow {
  from: string;
  to: string;
}

/**
 * Penalty days an overdue instalment does not accrue because of penalty waivers. Penalty accrues
 * for each day past due beyond the grace days: as of a run with `dpd` days past due, the accruing
 * days are dueDate + graceDays + 1 .. dueDate + dpd (none when dpd <= graceDays). The waived days
 * are those of them inside a window (windows of one loan never overlap: a loan already under a
 * waiver for part of a period is skipped by the next measure). The end-of-day run accrues the
 * penalty on `dpd - waived` days (`penaltyWithWaivers`); `waivedPenaltyDaysSql` is the same
 * formula over columns, used by the run's SQL and compared with this function row by row in
 * test/crisis-measures.db.test.ts.
 */
export function waivedPenaltyDays(i: { dueDate: string; dpd: number; graceDays: number }, windows: readonly WaiverWindow[]): number {
  if (i.dpd <= i.graceDays) return 0;
  const firstAccruing = i.graceDays + 1;
  let waived = 0;
  for (const w of windows) {
    // day offsets from the due date, inclusive
    const from = Math.max(firstAccruing, daysBetween(i.dueDate, w.from));
    const to = Math.min(i.dpd, daysBetween(i.dueDate, w.to));
    waived += Math.max(0, to - from + 1);
  }
  return waived;
}

/**
 * `waivedPenaltyDays` for one window as a SQL expression over column references (trusted
 * identifiers, never input): greatest(0, least(due + dpd, to) - greatest(due + grace + 1, from) + 1),
 * 0 when dpd <= grace; the run sums it over the loan's windows.
 */
export function waivedPenaltyDaysSql(c: { dueDate: string; dpd: string; graceDays: string; from: string; to: string }): string {
  for (const v of Object.values(c)) if (!/^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/i.test(v)) throw new Error(`Not a column reference: ${v}`);
  return `(case when ${c.dpd} <= ${c.graceDays} then 0 else greatest(0, least(${c.dueDate} + ${c.dpd}, ${c.to}) - greatest(${c.dueDate} + ${c.graceDays} + 1, ${c.from}) + 1) end)`;
}

/** The penalty of an instalment as the end-of-day run accrues it under waivers: `penaltyDue` on dpd less the waived days. */
export function penaltyWithWaivers(
  i: {
    dueDate: string;
    unpaid: Decimal.Value;
    penaltyRate: Decimal.Value;
    dpd: number;
    graceDays: number;
    currency: string;
    penaltyCapRate?: Decimal.Value | null;
    rounding?: RoundingMode;
  },
  windows: readonly WaiverWindow[],
): string {
  return penaltyDue({ ...i, dpd: i.dpd - waivedPenaltyDays(i, windows) });
}
