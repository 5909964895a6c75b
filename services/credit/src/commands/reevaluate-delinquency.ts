import { createEvent, type DomainEvent, type EventName } from '@crm/events';
import { type Kysely, sql } from 'kysely';
import { findBucketChanges, recordClassChanges, saveDelinquency, stageDelinquency } from '../db/end-of-day.store.ts';
import type { DB } from '../db/schema.ts';

/**
 * The loan's delinquency as of the latest end-of-day run, recomputed with the run's own SQL for
 * this loan only (days past due, bucket, penalties, risk class, the date's snapshot); the bucket
 * and class changes against what was last published become events.
 */
export async function reevaluate(tx: Kysely<DB>, loanId: string, now: Date): Promise<{ asOf: string | null; events: DomainEvent<EventName>[] }> {
  const last = await sql<{ as_of: string | null }>`select to_char(max(as_of), 'YYYY-MM-DD') as as_of from loan_delinquency`.execute(tx);
  const asOf = last.rows[0]?.as_of ?? null;
  if (!asOf) return { asOf: null, events: [] };
  const evaluated = await stageDelinquency(tx, asOf, loanId);
  if (!evaluated) return { asOf, events: [] };
  const buckets = await findBucketChanges(tx);
  const classes = await recordClassChanges(tx, asOf, now);
  await saveDelinquency(tx, asOf);
  return { asOf, events: delinquencyChangeEvents(buckets, classes, asOf, now) };
}

/** The events of an evaluation's bucket and class changes (overridden classes are not the run's to announce). */
export function delinquencyChangeEvents(
  buckets: Awaited<ReturnType<typeof findBucketChanges>>,
  classes: Awaited<ReturnType<typeof recordClassChanges>>,
  asOf: string,
  now: Date,
): DomainEvent<EventName>[] {
  return [
    ...buckets.map((b) =>
      createEvent('DelinquencyBucketChanged', {
        subject: b.customer_id,
        time: now,
        data: { loanId: b.loan_id, customerId: b.customer_id, previousBucket: b.prev_bucket, bucket: b.bucket, daysPastDue: b.dpd, asOf },
      }),
    ),
    ...classes
      .filter((c) => !c.overridden)
      .map((c) =>
        createEvent('RiskClassChanged', {
          subject: c.customer_id,
          time: now,
          data: {
            loanId: c.loan_id,
            customerId: c.customer_id,
            previousClass: c.previous_class,
            riskClass: c.risk_class,
            reason: c.reason,
            override: false,
            changedBy: null,
            asOf,
          },
        }),
      ),
  ];
}
