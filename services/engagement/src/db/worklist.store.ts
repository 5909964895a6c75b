import type { DelinquencyBucket } from '@crm/events';
import { decodeCursor, type PageWindow, type Scope } from '@crm/service-kit';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { CHURN_POINTS, OVERDUE_POINTS, PRIORITY_POINTS, RISK_POINTS } from '../domain/worklist.ts';
import type { ChurnRiskLevel, DB, TaskRow } from './schema.ts';
import { customerInScope } from './scope.ts';
import { serviceLevelSql } from './service-level.store.ts';

/** An open task with its rank's parts, as the worklist reads it (domain/worklist.ts explains the factors). */
export type RankedTaskRow = TaskRow & {
  due_points: number;
  priority_points: number;
  risk_points: number;
  churn_points: number;
  value_points: number;
  care_points: number;
  score: number;
  worst_bucket: DelinquencyBucket;
  days_past_due: number;
  churn_level: ChurnRiskLevel | null;
  churn_score: string | null;
  grade: string | null;
  care_needs: string[];
  /** The instant the rank was taken at. */
  rank_at: Date;
};

/** A CASE over a map of constants (the domain's points): `case <expr> when k then v ... else 0 end`. */
function pointsOf(expr: RawBuilder<unknown>, points: Record<string, number>): RawBuilder<number> {
  const whens = Object.entries(points).map(([k, v]) => sql`when ${k} then ${sql.lit(v)}`);
  return sql<number>`(case ${expr} ${sql.join(whens, sql` `)} else 0 end)`;
}

/**
 * Open tasks with the parts of their rank as of `at`, scoped: the worklist's statement and the
 * rank of any task (`Task.worklistRank`). Every constant comes from domain/worklist.ts; VALUE and
 * CARE from the service-level table (serviceLevelSql).
 */
function rankedTasks(db: Kysely<DB>, scope: Scope, at: Date) {
  const worstBucket = sql<DelinquencyBucket>`coalesce((select l.bucket from loan_replica l
    where l.customer_id = t.customer_id and l.status = 'ACTIVE' order by l.days_past_due desc, l.loan_id limit 1), 'CURRENT')`;
  const churnLevel = sql<ChurnRiskLevel | null>`(select c.level from churn_risk c where c.customer_id = t.customer_id)`;
  const level = serviceLevelSql('p', 'r.branch_id');
  const parts = db
    .selectFrom('task as t')
    .leftJoin('customer_replica as r', 'r.id', 't.customer_id')
    .leftJoin('customer_service_profile as p', 'p.customer_id', 't.customer_id')
    .selectAll('t')
    .select([
      sql<number>`(case when t.due_at < ${at} then ${sql.lit(OVERDUE_POINTS)} else 0 end)`.as('due_points'),
      pointsOf(sql`t.priority`, PRIORITY_POINTS).as('priority_points'),
      pointsOf(worstBucket, RISK_POINTS).as('risk_points'),
      pointsOf(churnLevel, CHURN_POINTS).as('churn_points'),
      level.valuePoints.as('value_points'),
      level.carePoints.as('care_points'),
      worstBucket.as('worst_bucket'),
      sql<number>`coalesce((select max(l.days_past_due) from loan_replica l where l.customer_id = t.customer_id and l.status = 'ACTIVE'), 0)`.as(
        'days_past_due',
      ),
      churnLevel.as('churn_level'),
      sql<string | null>`(select c.score::text from churn_risk c where c.customer_id = t.customer_id)`.as('churn_score'),
      sql<string | null>`p.grade`.as('grade'),
      sql<string[]>`coalesce(p.care_needs, '{}'::text[])`.as('care_needs'),
    ])
    .where('t.status', 'in', ['OPEN', 'IN_PROGRESS'])
    .where(customerInScope(scope, 't.customer_id'));
  return db
    .selectFrom(parts.as('w'))
    .selectAll('w')
    .select(sql<number>`w.due_points + w.priority_points + w.risk_points + w.churn_points + w.value_points + w.care_points`.as('score'));
}

const withAt = <R>(rows: R[], at: Date) =>
  rows.map((r) => ({ ...r, rank_at: at, ...numbers(r as unknown as Record<string, unknown>) }) as R & { rank_at: Date });

/** Drivers may hand integers of computed columns over as strings: the parts are numbers. */
function numbers(r: Record<string, unknown>) {
  const keys = ['due_points', 'priority_points', 'risk_points', 'churn_points', 'value_points', 'care_points', 'score', 'days_past_due'];
  return Object.fromEntries(keys.map((k) => [k, Number(r[k])]));
}

/** Keyset of a worklist row: the instant the order was taken at, then the order itself. */
export const worklistCursor = (r: RankedTaskRow) => [r.rank_at.toISOString(), r.score, r.due_at.toISOString(), r.id];

/**
 * An assignee's open tasks in worklist order: highest score first (domain/worklist.ts), then the
 * earliest due time, then the id; keyset pages on that order. The cursor carries the instant the
 * first page was taken at, so a task falling overdue between pages does not move under the reader
 * (a customer's grade, arrears or churn changing between pages may still move one).
 */
export async function findWorklist(db: Kysely<DB>, scope: Scope, assigneeId: string, window: PageWindow, now: Date): Promise<RankedTaskRow[]> {
  let at = now;
  let after: [number, Date, string] | null = null;
  if (window.after) {
    const [cursorAt, score, dueAt, id] = decodeCursor(window.after, 4);
    at = new Date(String(cursorAt));
    after = [Number(score), new Date(String(dueAt)), String(id)];
  }
  const rows = await db
    .selectFrom(rankedTasks(db, scope, at).where('w.assignee_id', '=', assigneeId).as('s'))
    .selectAll('s')
    .$if(after !== null, (q) => q.where(sql<boolean>`(-s.score, s.due_at, s.id) > (${-(after?.[0] ?? 0)}, ${after?.[1] ?? at}, ${after?.[2] ?? ''})`))
    .orderBy('s.score', 'desc')
    .orderBy('s.due_at')
    .orderBy('s.id')
    .limit(window.limit)
    .execute();
  return withAt(rows, at) as RankedTaskRow[];
}

/** The ranks of open tasks by id, as of `at` (tasks done, cancelled or out of scope are left out). */
export async function findTaskRanks(db: Kysely<DB>, scope: Scope, ids: readonly string[], at: Date): Promise<RankedTaskRow[]> {
  if (!ids.length) return [];
  const rows = await rankedTasks(db, scope, at)
    .where('w.id', 'in', [...ids])
    .execute();
  return withAt(rows, at) as RankedTaskRow[];
}
