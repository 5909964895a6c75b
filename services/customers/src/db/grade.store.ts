import { dateText, endOfDate, type Scope } from '@crm/service-kit';
import type { Kysely } from 'kysely';
import type { GradeState } from '../domain/grade.ts';
import type { ValueScore } from '../domain/value-score.ts';
import { customerIdsInScope } from './customer.store.ts';
import type { DB } from './schema.ts';

export interface StoredValueScore {
  customer_id: string;
  as_of: string;
  total: string;
}

/** The newest stored scores of many customers, `limit` each, in one query (a window function). */
export async function findStoredScoresOfCustomers(db: Kysely<DB>, scope: Scope, customerIds: readonly string[], limit: number): Promise<StoredValueScore[]> {
  if (!customerIds.length) return [];
  const ranked = db
    .selectFrom('customer_value_score')
    .select(['customer_id', 'as_of', 'total'])
    .select((eb) =>
      eb.fn
        .agg<string>('row_number')
        .over((ob) => ob.partitionBy('customer_id').orderBy('as_of', 'desc'))
        .as('rn'),
    )
    .where('customer_id', 'in', [...customerIds])
    .$if(scope.kind !== 'all', (q) => q.where('customer_id', 'in', customerIdsInScope(db, scope)));
  const rows = await db
    .selectFrom(ranked.as('r'))
    .select(['customer_id', 'as_of', 'total'])
    .where('rn', '<=', String(limit))
    .orderBy('customer_id')
    .orderBy('as_of', 'desc')
    .execute();
  return rows.map((r) => ({ ...r, as_of: dateText(r.as_of) }));
}

export interface GradedCustomer {
  id: string;
  created_at: Date;
  state: GradeState;
}

/** One page of customers registered on or before the date, with their grade state (keyset by id). */
export async function findCustomersToGrade(db: Kysely<DB>, asOf: string, afterId: string | null, limit: number): Promise<GradedCustomer[]> {
  const rows = await db
    .selectFrom('customer')
    .select(['id', 'created_at', 'grade', 'grade_since', 'grade_at_risk_since', 'grade_at_risk_until', 'grade_projected'])
    .where('created_at', '<', endOfDate(asOf))
    .$if(afterId !== null, (q) => q.where('id', '>', afterId ?? ''))
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    created_at: r.created_at,
    state: {
      grade: r.grade,
      since: dateText(r.grade_since),
      atRiskSince: dateText(r.grade_at_risk_since),
      atRiskUntil: dateText(r.grade_at_risk_until),
      projected: r.grade_projected,
    },
  }));
}

/** Stores the scores of a date in one statement (a rerun for the same date overwrites). */
export async function upsertValueScores(db: Kysely<DB>, scores: { customerId: string; score: ValueScore }[]): Promise<void> {
  if (!scores.length) return;
  await db
    .insertInto('customer_value_score')
    .values(
      scores.map(({ customerId, score }) => ({
        customer_id: customerId,
        as_of: score.asOf,
        total: score.total.toFixed(2),
        components: JSON.stringify(
          score.components.map((c) => ({ code: c.code, weight: c.weight.toFixed(), value: c.value.toFixed(2), contribution: c.contribution.toFixed(2) })),
        ),
      })),
    )
    .onConflict((oc) =>
      oc.columns(['customer_id', 'as_of']).doUpdateSet((eb) => ({ total: eb.ref('excluded.total'), components: eb.ref('excluded.components') })),
    )
    .execute();
}

/**
 * Applies new grade states: customers sharing the same next state are updated together, so a
 * page costs one UPDATE per distinct outcome (a handful), never one per customer.
 */
export async function applyGradeStates(db: Kysely<DB>, changes: { customerId: string; next: GradeState }[]): Promise<void> {
  const groups = new Map<string, { next: GradeState; ids: string[] }>();
  for (const c of changes) {
    const key = JSON.stringify(c.next);
    const group = groups.get(key) ?? { next: c.next, ids: [] };
    group.ids.push(c.customerId);
    groups.set(key, group);
  }
  for (const { next, ids } of groups.values()) {
    await db
      .updateTable('customer')
      .set({
        grade: next.grade,
        grade_since: next.since,
        grade_at_risk_since: next.atRiskSince,
        grade_at_risk_until: next.atRiskUntil,
        grade_projected: next.projected,
      })
      .where('id', 'in', ids)
      .execute();
  }
}
