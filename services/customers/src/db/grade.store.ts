import { type CountedConnection, countsOf, dateText, endOfDate, type PageWindow, type Parented, type Scope, type SortKey, windowPages } from '@crm/service-kit';
import type { Insertable, Kysely } from 'kysely';
import type { GradeState } from '../domain/grade.ts';
import type { ValueScore } from '../domain/value-score.ts';
import { customerIdsInScope } from './customer.store.ts';
import type { CustomerGradeChangeTable, DB } from './schema.ts';

export interface StoredValueScore {
  customer_id: string;
  as_of: string;
  total: string;
}

/** The stored scores of many customers (in scope), with the customer as `_parent`. */
const storedScoresOfCustomers = (db: Kysely<DB>, scope: Scope, customerIds: readonly string[]) =>
  db
    .selectFrom('customer_value_score')
    .select(['customer_id', 'as_of', 'total', 'customer_id as _parent'])
    .where('customer_id', 'in', [...customerIds])
    .$if(scope.kind !== 'all', (q) => q.where('customer_id', 'in', customerIdsInScope(db, scope)));

/** Per-customer order of stored scores: newest date first (one score per customer and date, so no ties). */
const STORED_SCORE_ORDER: readonly SortKey[] = [{ ref: 'as_of', type: 'date' }];

/** `Customer.valueScoreHistory`: one page per customer after a cursor, in one statement (a window function). */
export async function findStoredScoresOfCustomers(
  db: Kysely<DB>,
  scope: Scope,
  customerIds: readonly string[],
  window: PageWindow,
): Promise<Parented<StoredValueScore>[]> {
  if (!customerIds.length) return [];
  const rows = await windowPages<StoredValueScore>(db, storedScoresOfCustomers(db, scope, customerIds), STORED_SCORE_ORDER, 'desc', window);
  return rows.map((r) => ({ ...r, as_of: dateText(r.as_of) }));
}

/** Number of stored scores of each customer asked for, in one grouped statement. */
export async function countStoredScoresOfCustomers(db: Kysely<DB>, scope: Scope, customerIds: readonly string[]): Promise<Map<string, number>> {
  if (!customerIds.length) return new Map();
  return countsOf(db, storedScoresOfCustomers(db, scope, customerIds));
}

export interface GradedCustomer {
  id: string;
  created_at: Date;
  branch_id: string;
  relationship_manager_id: string | null;
  state: GradeState;
}

/** One page of customers registered on or before the date, with their grade state (keyset by id). */
/** How many customers a grade evaluation for `asOf` goes through (its progress total). */
export async function countCustomersToGrade(db: Kysely<DB>, asOf: string): Promise<number> {
  const row = await db
    .selectFrom('customer')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('created_at', '<', endOfDate(asOf))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function findCustomersToGrade(db: Kysely<DB>, asOf: string, afterId: string | null, limit: number): Promise<GradedCustomer[]> {
  const rows = await db
    .selectFrom('customer')
    .select([
      'id',
      'created_at',
      'branch_id',
      'relationship_manager_id',
      'grade',
      'grade_since',
      'grade_at_risk_since',
      'grade_at_risk_until',
      'grade_projected',
    ])
    .where('created_at', '<', endOfDate(asOf))
    .$if(afterId !== null, (q) => q.where('id', '>', afterId ?? ''))
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    created_at: r.created_at,
    branch_id: r.branch_id,
    relationship_manager_id: r.relationship_manager_id,
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

/** Records grade changes (one per customer and date: a rerun for the same date adds nothing). */
export async function insertGradeChanges(db: Kysely<DB>, rows: Insertable<CustomerGradeChangeTable>[]): Promise<void> {
  if (!rows.length) return;
  await db
    .insertInto('customer_grade_change')
    .values(rows)
    .onConflict((oc) => oc.columns(['customer_id', 'effective_on']).doNothing())
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

/** `Customer.valueScoreHistory`: a page and its lazy count. */
export type StoredScorePage = CountedConnection<StoredValueScore>;
