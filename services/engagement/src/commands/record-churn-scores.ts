import { emit } from '@crm/events';
import type { Decimal } from 'decimal.js';
import type { Transaction } from 'kysely';
import { upsertChurnRisks } from '../db/churn.store.ts';
import { findRelationshipManagerId } from '../db/customer-replica.store.ts';
import type { DB } from '../db/schema.ts';
import { isChurnLevelChange } from '../domain/churn.ts';
import { retentionTask } from '../domain/tasks.ts';
import type { ChurnRiskLevel, ChurnSignalValue } from '../domain/types.ts';
import { createPlannedTask } from './create-planned-task.ts';

/** One customer's churn score as computed by the rules (domain/churn.ts). */
export interface ChurnScored {
  customerId: string;
  previous: ChurnRiskLevel | null;
  level: ChurnRiskLevel;
  score: Decimal;
  signals: ChurnSignalValue[];
}

/**
 * Records a page of churn scores in the caller's transaction (one upsert): a level change emits
 * ChurnRiskChanged; a change to HIGH creates a retention task for the relationship manager (once
 * per customer and date).
 */
export async function recordChurnScores(
  tx: Transaction<DB>,
  scored: readonly ChurnScored[],
  input: { asOf: string; now: Date },
): Promise<{ changed: number; high: number; retentionTasks: number }> {
  const { asOf, now } = input;
  const counts = { changed: 0, high: 0, retentionTasks: 0 };
  await upsertChurnRisks(
    tx,
    scored.map((s) => ({
      customer_id: s.customerId,
      score: s.score.toFixed(2),
      level: s.level,
      signals: JSON.stringify(s.signals),
      as_of: asOf,
      computed_at: now,
    })),
  );
  for (const s of scored.filter((x) => isChurnLevelChange(x.previous, x.level))) {
    counts.changed++;
    const event = await emit(tx, 'ChurnRiskChanged', {
      subject: s.customerId,
      time: now,
      data: { customerId: s.customerId, previousLevel: s.previous, level: s.level, score: s.score.toFixed(2), signals: s.signals, asOf },
    });
    if (s.level !== 'HIGH') continue;
    counts.high++;
    const reasons = s.signals.filter((x) => x.value !== '0.0000').map((x) => x.code.toLowerCase().replaceAll('_', ' '));
    const created = await createPlannedTask(
      tx,
      retentionTask({
        customerId: s.customerId,
        reason: `churn risk HIGH (${s.score.toFixed(2)}): ${reasons.join(', ')}`,
        dedupeKey: `CHURN_HIGH:${s.customerId}:${asOf}`,
        assigneeId: await findRelationshipManagerId(tx, s.customerId),
        from: now,
        deadline: null,
        priority: 'HIGH',
      }),
      { sourceEventId: event.id },
    );
    if (created) counts.retentionTasks++;
  }
  return counts;
}
