import { emit } from '@crm/events';
import { runCommand, type UserError } from '@crm/service-kit';
import type { CreditContext } from '../context.ts';
import { type BusinessDateView, lockBusinessDate, saveBusinessDate } from '../db/business-date.store.ts';
import { checkSet, INSTITUTION } from '../domain/business-date.ts';

/**
 * Sets the business date (administrators), outside production only: demos, training and
 * acceptance tests move a loan through months without touching the system clock. No end-of-day
 * run is made for the dates skipped (run them with runEndOfDay or closeBusinessDay). Emits
 * BusinessDateChanged (SET) in the same transaction: the other services' jobs may then run up to it.
 */
export async function setBusinessDate(ctx: CreditContext, cmd: { date: string }): Promise<{ businessDate: BusinessDateView | null; userErrors: UserError[] }> {
  const actorId = ctx.identity?.userId ?? 'unknown';
  return runCommand(ctx, { action: 'setBusinessDate', entityType: 'BusinessDate' }, async (tx, audit) => {
    const problems = checkSet(process.env.NODE_ENV === 'production');
    if (problems.length) return { businessDate: null, userErrors: problems };
    const now = ctx.now();
    const before = await lockBusinessDate(tx, now);
    await saveBusinessDate(tx, { date: cmd.date, updatedBy: actorId, now });
    await emit(tx, 'BusinessDateChanged', {
      subject: INSTITUTION,
      data: { businessDate: cmd.date, previousBusinessDate: before.date, how: 'SET', changedBy: actorId, changedAt: now.toISOString() },
    });
    audit.entity(cmd.date);
    audit.changes({ businessDate: before.date }, { businessDate: cmd.date });
    return { businessDate: { ...before, date: cmd.date, updatedBy: actorId, updatedAt: now }, userErrors: [] };
  });
}
