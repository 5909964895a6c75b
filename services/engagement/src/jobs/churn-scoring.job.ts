import { addDays, endOfDate, type JobDefinition, startOfDate } from '@crm/service-kit';
import { recordChurnScores } from '../commands/record-churn-scores.ts';
import { countChurnCustomers, findChurnInputs, findChurnThresholds, findChurnWeights } from '../db/churn.store.ts';
import type { DB } from '../db/schema.ts';
import { CHURN_LOOKBACK_DAYS, CHURN_WINDOW_DAYS, churnLevel, churnScore, churnSignalValues } from '../domain/churn.ts';
import { LOW_CSAT_MAX, LOW_NPS_MAX } from '../domain/surveys.ts';

/** Customers scored per page (one query to read, one to write). */
const PAGE = 1000;

/**
 * Scores every customer's churn risk as of a date, a page of customers at a time (one read and
 * one upsert per page). A level change emits ChurnRiskChanged; a change to HIGH creates a
 * retention task for the relationship manager (once per customer and date).
 */
export const churnScoringJob: JobDefinition<DB> = {
  name: 'churn-scoring',
  description: 'Scores churn risk from interactions, complaints, surveys, loans and dormancy',
  everyMs: 24 * 60 * 60_000,
  affected: (counts) => (counts.changed ?? 0) + (counts.retentionTasks ?? 0),
  async run({ db, asOf, now, progress }) {
    const total = await countChurnCustomers(db);
    const weights = await findChurnWeights(db);
    const thresholds = await findChurnThresholds(db);
    const window = {
      end: endOfDate(asOf),
      recentFrom: startOfDate(addDays(asOf, 1 - CHURN_WINDOW_DAYS)),
      previousFrom: startOfDate(addDays(asOf, 1 - 2 * CHURN_WINDOW_DAYS)),
      lookbackFrom: startOfDate(addDays(asOf, 1 - CHURN_LOOKBACK_DAYS)),
      lowNps: LOW_NPS_MAX,
      lowCsat: LOW_CSAT_MAX,
    };
    const counts = { scored: 0, changed: 0, high: 0, retentionTasks: 0 };
    let afterId: string | null = null;
    for (;;) {
      const inputs = await findChurnInputs(db, { afterId, limit: PAGE }, window);
      if (!inputs.length) break;
      await db.transaction().execute(async (tx) => {
        const scored = inputs.map((i) => {
          const { score, signals } = churnScore(
            churnSignalValues(
              {
                recentInteractions: i.recent_interactions,
                previousInteractions: i.previous_interactions,
                complaints: i.complaints,
                lowScores: i.low_scores,
                worstBucketRank: i.worst_bucket_rank,
                activeLoans: i.active_loans,
                lastClosedOn: i.last_closed_on,
                lastInteractionOn: i.last_interaction_on,
              },
              asOf,
            ),
            weights,
          );
          return { customerId: i.customer_id, previous: i.previous_level, level: churnLevel(score, thresholds), score, signals };
        });
        const recorded = await recordChurnScores(tx, scored, { asOf, now });
        counts.changed += recorded.changed;
        counts.high += recorded.high;
        counts.retentionTasks += recorded.retentionTasks;
      });
      counts.scored += inputs.length;
      afterId = inputs.at(-1)?.customer_id ?? null;
      await progress(counts.scored, Math.max(total, counts.scored));
      if (inputs.length < PAGE) break;
    }
    return counts;
  },
};
