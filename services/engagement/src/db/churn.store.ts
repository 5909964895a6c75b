import { DELINQUENCY_BUCKETS } from '@crm/events';
import type { ChangePosition, Scope } from '@crm/service-kit';
import { changeColumns, changeFeedFilter, changeOrder, decodeCursor } from '@crm/service-kit';
import { type Expression, type ExpressionBuilder, type Insertable, type Kysely, type SqlBool, sql } from 'kysely';
import { NOTIFICATION_STAFF_ID } from '../domain/notifications.ts';
import { customerInBranch, customerOfManager, type ListPage } from './filters.ts';
import type { ChurnRiskLevel, ChurnRiskRow, ChurnRiskTable, DB, Stamped } from './schema.ts';
import { customerInScope } from './scope.ts';

/**
 * Interactions recorded by the notifications (a reminder sent, issue 15) are automated, not engagement: the churn
 * signals of interactions and dormancy leave them out.
 */

/** A loan's bucket as its rank, 0 (current) to 4 (90+ days), from the catalogue's ordered buckets. */
const bucketRank = sql.raw(`case l.bucket ${DELINQUENCY_BUCKETS.map((b, rank) => `when '${b}' then ${rank}`).join(' ')} else 0 end`);

/** The churn risks of customers in scope (none for the others). */
export async function findChurnRisks(db: Kysely<DB>, scope: Scope, customerIds: readonly string[]): Promise<ChurnRiskRow[]> {
  if (!customerIds.length) return [];
  return db
    .selectFrom('churn_risk')
    .selectAll()
    .where('customer_id', 'in', [...customerIds])
    .where(customerInScope(scope, 'churn_risk.customer_id'))
    .execute();
}

export async function findChurnWeights(db: Kysely<DB>) {
  return db.selectFrom('churn_signal_weight').selectAll().orderBy('weight', 'desc').orderBy('code').execute();
}

export async function findChurnThresholds(db: Kysely<DB>) {
  return db.selectFrom('churn_level_threshold').selectAll().execute();
}

export interface ChurnInputRow {
  customer_id: string;
  previous_level: ChurnRiskTable['level'] | null;
  recent_interactions: number;
  previous_interactions: number;
  complaints: number;
  low_scores: number;
  worst_bucket_rank: number | null;
  active_loans: number;
  last_closed_on: string | null;
  last_interaction_on: string | null;
}

/**
 * The raw churn facts of one page of customers (keyset on id) in one query: contact counts in
 * two windows, complaints, low survey scores, loans, and the current level.
 */
/** How many customers a churn-scoring run goes through (its progress total). */
export async function countChurnCustomers(db: Kysely<DB>): Promise<number> {
  const row = await db
    .selectFrom('customer_replica')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function findChurnInputs(
  db: Kysely<DB>,
  page: { afterId: string | null; limit: number },
  w: { end: Date; recentFrom: Date; previousFrom: Date; lookbackFrom: Date; lowNps: number; lowCsat: number },
): Promise<ChurnInputRow[]> {
  const rows = await db
    .selectFrom('customer_replica as c')
    .leftJoin('churn_risk as r', 'r.customer_id', 'c.id')
    .select((eb) => [
      'c.id as customer_id',
      'r.level as previous_level',
      eb
        .selectFrom('interaction as i')
        .select(eb.fn.countAll<string>().as('n'))
        .whereRef('i.customer_id', '=', 'c.id')
        .where('i.staff_id', '<>', NOTIFICATION_STAFF_ID)
        .where('i.occurred_at', '>=', w.recentFrom)
        .where('i.occurred_at', '<', w.end)
        .as('recent_interactions'),
      eb
        .selectFrom('interaction as i')
        .select(eb.fn.countAll<string>().as('n'))
        .whereRef('i.customer_id', '=', 'c.id')
        .where('i.staff_id', '<>', NOTIFICATION_STAFF_ID)
        .where('i.occurred_at', '>=', w.previousFrom)
        .where('i.occurred_at', '<', w.recentFrom)
        .as('previous_interactions'),
      eb
        .selectFrom('complaint as k')
        .select(eb.fn.countAll<string>().as('n'))
        .whereRef('k.customer_id', '=', 'c.id')
        .where('k.kind', '=', 'COMPLAINT')
        .where('k.received_at', '>=', w.lookbackFrom)
        .where('k.received_at', '<', w.end)
        .as('complaints'),
      eb
        .selectFrom('survey_response as s')
        .select(eb.fn.countAll<string>().as('n'))
        .whereRef('s.customer_id', '=', 'c.id')
        .where('s.responded_at', '>=', w.lookbackFrom)
        .where('s.responded_at', '<', w.end)
        .where((x) => x.or([x('s.nps_score', '<=', w.lowNps), x('s.csat_score', '<=', w.lowCsat)]))
        .as('low_scores'),
      eb
        .selectFrom('loan_replica as l')
        .select(sql<number>`max(${bucketRank})`.as('rank'))
        .whereRef('l.customer_id', '=', 'c.id')
        .where('l.status', '=', 'ACTIVE')
        .as('worst_bucket_rank'),
      eb
        .selectFrom('loan_replica as l')
        .select(eb.fn.countAll<string>().as('n'))
        .whereRef('l.customer_id', '=', 'c.id')
        .where('l.status', '=', 'ACTIVE')
        .as('active_loans'),
      eb
        .selectFrom('loan_replica as l')
        .select(sql<string>`max(l.closed_on)::text`.as('d'))
        .whereRef('l.customer_id', '=', 'c.id')
        .where('l.status', '=', 'CLOSED')
        .as('last_closed_on'),
      eb
        .selectFrom('interaction as i')
        .select(sql<string>`(max(i.occurred_at) at time zone 'UTC')::date::text`.as('d'))
        .whereRef('i.customer_id', '=', 'c.id')
        .where('i.staff_id', '<>', NOTIFICATION_STAFF_ID)
        .where('i.occurred_at', '<', w.end)
        .as('last_interaction_on'),
    ])
    .$if(page.afterId !== null, (q) => q.where('c.id', '>', page.afterId ?? ''))
    .orderBy('c.id')
    .limit(page.limit)
    .execute();
  return rows.map((r) => ({
    customer_id: r.customer_id,
    previous_level: r.previous_level,
    recent_interactions: Number(r.recent_interactions ?? 0),
    previous_interactions: Number(r.previous_interactions ?? 0),
    complaints: Number(r.complaints ?? 0),
    low_scores: Number(r.low_scores ?? 0),
    worst_bucket_rank: r.worst_bucket_rank === null ? null : Number(r.worst_bucket_rank),
    active_loans: Number(r.active_loans ?? 0),
    last_closed_on: r.last_closed_on ?? null,
    last_interaction_on: r.last_interaction_on ?? null,
  }));
}

/** Stores one page of scores in one statement. */
export async function upsertChurnRisks(db: Kysely<DB>, rows: Insertable<ChurnRiskTable>[]): Promise<void> {
  if (!rows.length) return;
  await db
    .insertInto('churn_risk')
    .values(rows)
    .onConflict((oc) =>
      oc.column('customer_id').doUpdateSet((eb) => ({
        score: eb.ref('excluded.score'),
        level: eb.ref('excluded.level'),
        signals: eb.ref('excluded.signals'),
        as_of: eb.ref('excluded.as_of'),
        computed_at: eb.ref('excluded.computed_at'),
      })),
    )
    .execute();
}

export interface ChurnScoreQuery {
  customerId?: string | null;
  branchId?: string | null;
  relationshipManagerId?: string | null;
  level?: readonly ChurnRiskLevel[] | null;
  asOfFrom?: string | null;
  asOfTo?: string | null;
}

function scoreMatches(scope: Scope, filter: ChurnScoreQuery) {
  return (eb: ExpressionBuilder<DB, 'churn_risk'>) => {
    const conditions: Expression<SqlBool>[] = [customerInScope(scope, 'churn_risk.customer_id')];
    if (filter.customerId) conditions.push(eb('churn_risk.customer_id', '=', filter.customerId));
    if (filter.branchId) conditions.push(customerInBranch('churn_risk.customer_id', filter.branchId));
    if (filter.relationshipManagerId) conditions.push(customerOfManager('churn_risk.customer_id', filter.relationshipManagerId));
    if (filter.level?.length) conditions.push(eb('churn_risk.level', 'in', [...filter.level]));
    if (filter.asOfFrom) conditions.push(eb('churn_risk.as_of', '>=', filter.asOfFrom));
    if (filter.asOfTo) conditions.push(eb('churn_risk.as_of', '<=', filter.asOfTo));
    return eb.and(conditions);
  };
}

/** Keyset of a churn score (newest as-of date first; ties by customer id). */
export const churnScoreCursor = (row: ChurnRiskRow) => [row.as_of, row.customer_id];

/** The latest churn scores matching a filter: newest as-of date first, or with `since` in change-feed order after it. */
export async function findChurnScores(db: Kysely<DB>, scope: Scope, filter: ChurnScoreQuery, page: ListPage): Promise<Stamped<ChurnRiskRow>[]> {
  const base = db.selectFrom('churn_risk').selectAll('churn_risk').where(scoreMatches(scope, filter));
  if (page.since !== undefined) {
    return base
      .select(changeColumns('churn_risk'))
      .where(changeFeedFilter('churn_risk', page.since))
      .orderBy(changeOrder('churn_risk'))
      .limit(page.limit)
      .execute();
  }
  const after = page.after ? decodeCursor(page.after, 2).map(String) : null;
  return base
    .$if(after !== null, (q) => q.where((eb) => eb(eb.refTuple('as_of', 'customer_id'), '<', eb.tuple(after?.[0] ?? '', after?.[1] ?? ''))))
    .orderBy('churn_risk.as_of', 'desc')
    .orderBy('churn_risk.customer_id', 'desc')
    .limit(page.limit)
    .execute();
}

/** How many scores match (in a `changedSince` pull: changed after `since`). */
export async function countChurnScores(db: Kysely<DB>, scope: Scope, filter: ChurnScoreQuery, since: ChangePosition | null | undefined): Promise<number> {
  const row = await db
    .selectFrom('churn_risk')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where(scoreMatches(scope, filter))
    .$if(since !== undefined, (q) => q.where(changeFeedFilter('churn_risk', since ?? null)))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
