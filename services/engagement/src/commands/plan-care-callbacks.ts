import { endOfDate } from '@crm/service-kit';
import type { Transaction } from 'kysely';
import { careCallbackKey, findCareCallbacksToPlan } from '../db/care-callback.store.ts';
import type { DB } from '../db/schema.ts';
import { findServiceLevelOf } from '../db/service-level.store.ts';
import { nextCallbackDue } from '../domain/service-levels.ts';
import { createPlannedTask } from './create-planned-task.ts';

/**
 * Plans the regular care touch of special-care customers (a page of them, or one): for each
 * customer whose needs call for a call-back every N days (service level) and who has no touch
 * open, a CARE task for the relationship manager, due N days after the later of when the previous touch was
 * done or cancelled and when the needs were recorded, not before the end of the run's date; a home visit
 * instead of a call when the needs call for home visits (the task's planning says so). Once per
 * customer and anchor (dedupe key): a rerun plans nothing new. Emits TaskCreated.
 */
export async function planCareCallbacks(
  tx: Transaction<DB>,
  input: { asOf: string; now: Date; customerId?: string | null; afterId?: string | null; limit?: number; sourceEventId?: string | null },
): Promise<{ examined: number; planned: number; lastId: string | null }> {
  const candidates = await findCareCallbacksToPlan(tx, { customerId: input.customerId, afterId: input.afterId, limit: input.limit ?? 500 });
  let planned = 0;
  for (const c of candidates) {
    // the anchor: the latest of when the needs were recorded and when the previous touch closed
    const from = [c.care_at, c.last_closed].reduce<Date | null>((a, b) => (b && (!a || b.getTime() > a.getTime()) ? b : a), null) ?? input.now;
    const level = await findServiceLevelOf(tx, c.customer_id);
    const needs = c.care_needs.join(', ');
    const id = await createPlannedTask(
      tx,
      {
        customerId: c.customer_id,
        type: 'CARE',
        title: level.homeVisit ? `Home visit (special care: ${needs})` : `Care call-back (special care: ${needs})`,
        assigneeId: c.relationship_manager_id,
        priority: 'NORMAL',
        dueAt: nextCallbackDue(from, c.every_days, endOfDate(input.asOf)),
        dedupeKey: careCallbackKey(c.customer_id, from),
      },
      { sourceEventId: input.sourceEventId ?? null, at: input.now, shaping: 'interval' },
    );
    if (id) planned++;
  }
  return { examined: candidates.length, planned, lastId: candidates.at(-1)?.customer_id ?? null };
}
