import { emit } from '@crm/events';
import { isoDate, type JobRunResult, recordJobRun, runCommand, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { CreditContext } from '../context.ts';
import { type BusinessDateView, lockBusinessDate, saveBusinessDate } from '../db/business-date.store.ts';
import { checkClose, INSTITUTION, nextBusinessDate } from '../domain/business-date.ts';
import { evaluateDelinquency } from './evaluate-delinquency.ts';

export interface CloseBusinessDayOutcome {
  businessDate: BusinessDateView | null;
  run: JobRunResult | null;
  userErrors: UserError[];
}

const production = () => process.env.NODE_ENV === 'production';

/**
 * Close of business: in one transaction, the end-of-day run for the open business date (the same
 * command as `runEndOfDay`), recorded as an `end-of-day` job run, then the next date opened. The
 * business-date row is locked, so two closes never overlap and a date is closed once, in order.
 * Emits BusinessDateChanged (CLOSED) with the run's events.
 */
export async function closeBusinessDay(ctx: CreditContext, cmd: { businessDate: string }): Promise<CloseBusinessDayOutcome> {
  const actorId = ctx.identity?.userId ?? 'unknown';
  return runCommand(ctx, { action: 'closeBusinessDay', entityType: 'BusinessDate' }, async (tx, audit): Promise<CloseBusinessDayOutcome> => {
    const now = ctx.now();
    const open = await lockBusinessDate(tx, now);
    const problems = checkClose(open.date, cmd.businessDate, isoDate(now), production());
    if (problems.length) return { businessDate: null, run: null, userErrors: problems };
    const startedAt = new Date();
    const counts = await evaluateDelinquency(tx, { asOf: open.date, now });
    const { loansEvaluated: _evaluated, eventsEmitted: _events, ...changes } = counts;
    const run: JobRunResult = {
      id: uuidv7(),
      job: 'end-of-day',
      asOf: open.date,
      startedAt,
      finishedAt: new Date(),
      affected: Object.values(changes).reduce((s, v) => s + v, 0),
      skipped: false,
      outcome: 'SUCCEEDED',
      actorId,
      counts,
    };
    await recordJobRun(tx, {
      id: run.id,
      job: run.job,
      as_of: run.asOf,
      started_at: run.startedAt,
      finished_at: run.finishedAt,
      affected: run.affected,
      skipped: false,
      outcome: 'SUCCEEDED',
      actor_id: actorId,
      error: null,
      counts,
    });
    const next = nextBusinessDate(open.date);
    await saveBusinessDate(tx, { date: next, lastClosedOn: open.date, updatedBy: actorId, now });
    await emit(tx, 'BusinessDateChanged', {
      subject: INSTITUTION,
      data: { businessDate: next, previousBusinessDate: open.date, how: 'CLOSED', changedBy: actorId, changedAt: now.toISOString() },
    });
    audit.entity(open.date);
    audit.changes({ businessDate: open.date, lastClosedOn: open.lastClosedOn }, { businessDate: next, lastClosedOn: open.date });
    audit.detail({ endOfDay: counts, jobRunId: run.id });
    return { businessDate: { date: next, lastClosedOn: open.date, managed: true, updatedBy: actorId, updatedAt: now }, run, userErrors: [] };
  });
}
