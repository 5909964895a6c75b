import { type JobDefinition, runClock } from '@crm/service-kit';
import { planCareCallbacks } from '../commands/plan-care-callbacks.ts';
import type { DB } from '../db/schema.ts';

/** Customers planned per page (one read, then a task each, in one transaction per page). */
const PAGE = 500;

/**
 * Plans the regular care touch (call-back, or home visit) of special-care customers whose needs
 * call for one and who have none open (commands/plan-care-callbacks.ts). Repeatable: the same
 * anchor never plans two touches. Planned at the run's clock (on a business date ahead of the wall
 * clock, that date: see runClock).
 */
export const careCallbacksJob: JobDefinition<DB> = {
  name: 'care-callbacks',
  description: 'Plans the regular call-back or home visit of special-care customers',
  everyMs: 24 * 60 * 60_000,
  affected: (counts) => counts.planned ?? 0,
  async run({ db, asOf, now: wallClock }) {
    const now = runClock(asOf, wallClock);
    const counts = { examined: 0, planned: 0 };
    let afterId: string | null = null;
    for (;;) {
      const page: { examined: number; planned: number; lastId: string | null } = await db
        .transaction()
        .execute((tx) => planCareCallbacks(tx, { asOf, now, afterId, limit: PAGE }));
      counts.examined += page.examined;
      counts.planned += page.planned;
      afterId = page.lastId;
      if (page.examined < PAGE || !afterId) break;
    }
    return counts;
  },
};
