import { endOfDate, type UserError } from '@crm/service-kit';

export type WarningStatus = 'OPEN' | 'ACKNOWLEDGED' | 'ACTION_TAKEN' | 'RESOLVED' | 'ESCALATED';
export type WarningAction = 'ACKNOWLEDGE' | 'TAKE_ACTION' | 'RESOLVE' | 'ESCALATE';

/**
 * The warning workflow: OPEN -> ACKNOWLEDGED -> ACTION_TAKEN -> RESOLVED; ESCALATED from OPEN or
 * ACKNOWLEDGED (by hand, or by the escalation job when the response deadline passes); an
 * escalated warning can still be acted on and resolved. RESOLVED is final.
 */
const transitions: Record<WarningAction, { from: WarningStatus[]; to: WarningStatus }> = {
  ACKNOWLEDGE: { from: ['OPEN', 'ESCALATED'], to: 'ACKNOWLEDGED' },
  TAKE_ACTION: { from: ['OPEN', 'ACKNOWLEDGED', 'ESCALATED'], to: 'ACTION_TAKEN' },
  RESOLVE: { from: ['OPEN', 'ACKNOWLEDGED', 'ACTION_TAKEN', 'ESCALATED'], to: 'RESOLVED' },
  ESCALATE: { from: ['OPEN', 'ACKNOWLEDGED'], to: 'ESCALATED' },
};

export function nextWarningStatus(
  current: WarningStatus,
  action: WarningAction,
  note: string | null,
): { ok: true; to: WarningStatus } | { ok: false; errors: UserError[] } {
  const t = transitions[action];
  if (!t.from.includes(current))
    return { ok: false, errors: [{ field: 'action', code: 'INVALID_TRANSITION', message: `cannot ${action} a warning that is ${current}` }] };
  if ((action === 'TAKE_ACTION' || action === 'RESOLVE') && !note?.trim()) {
    return { ok: false, errors: [{ field: 'note', code: 'REQUIRED', message: 'say what was done' }] };
  }
  return { ok: true, to: t.to };
}

/** The escalation job looks at deadlines up to the end of its as-of date, never past the present. */
export function escalationCutoff(asOf: string, now: Date): Date {
  const endOfDay = endOfDate(asOf);
  return endOfDay.getTime() < now.getTime() ? endOfDay : now;
}

/** Income drop as a positive fraction ("0.3500" for -35 %), or null when there is no drop. */
export function incomeDrop(changeRatio: string | null): string | null {
  if (changeRatio === null || !changeRatio.startsWith('-')) return null;
  return changeRatio.slice(1);
}
