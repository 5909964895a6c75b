import type { ChangePosition, PageWindow, Parented, Scope, SortKey } from '@crm/service-kit';
import { changeColumns, changeFeedFilter, changeOrder, countsOf, decodeCursor, windowPages } from '@crm/service-kit';
import { type Expression, type ExpressionBuilder, type Insertable, type Kysely, type SqlBool, sql } from 'kysely';
import { NPS_DETRACTOR_MAX, NPS_PROMOTER_MIN } from '../domain/surveys.ts';
import { dayAfter, dayStart, type ListPage } from './filters.ts';
import type {
  DB,
  Stamped,
  SurveyDispatchRow,
  SurveyDispatchTable,
  SurveyResponseRow,
  SurveyResponseTable,
  SurveyRow,
  SurveyTable,
  SurveyTrigger,
} from './schema.ts';
import { assertCustomerInScope, customerInScope } from './scope.ts';

export async function insertSurvey(db: Kysely<DB>, row: Insertable<SurveyTable>): Promise<void> {
  await db.insertInto('survey').values(row).execute();
}

export async function findSurveyIdByIdempotencyKey(db: Kysely<DB>, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('survey').select('id').where('idempotency_key', '=', key).executeTakeFirst();
  return row?.id;
}

export async function findSurveysByIds(db: Kysely<DB>, ids: readonly string[]): Promise<SurveyRow[]> {
  if (!ids.length) return [];
  return db
    .selectFrom('survey')
    .selectAll()
    .where('id', 'in', [...ids])
    .execute();
}

export async function findSurveys(db: Kysely<DB>, window: PageWindow): Promise<SurveyRow[]> {
  const afterId = window.after ? String(decodeCursor(window.after, 1)[0]) : null;
  return db
    .selectFrom('survey')
    .selectAll()
    .$if(afterId !== null, (q) => q.where('id', '<', afterId ?? ''))
    .orderBy('id', 'desc')
    .limit(window.limit)
    .execute();
}

/** The newest active survey sent on this occasion, if any. */
export async function findTriggeredSurvey(db: Kysely<DB>, trigger: SurveyTrigger): Promise<SurveyRow | undefined> {
  return db
    .selectFrom('survey')
    .selectAll()
    .where('trigger', '=', trigger)
    .where('active', '=', true)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

/** Inserts dispatches in one statement; an occasion already served (same source key) is skipped. Returns the new ones. */
export async function insertDispatches(db: Kysely<DB>, rows: SurveyDispatchTable[]): Promise<SurveyDispatchRow[]> {
  if (!rows.length) return [];
  return db
    .insertInto('survey_dispatch')
    .values(rows)
    .onConflict((oc) => oc.column('source_key').doNothing())
    .returningAll()
    .execute();
}

export async function findDispatchesBySourceKeys(db: Kysely<DB>, keys: readonly string[]): Promise<SurveyDispatchRow[]> {
  if (!keys.length) return [];
  return db
    .selectFrom('survey_dispatch')
    .selectAll()
    .where('source_key', 'in', [...keys])
    .orderBy('id')
    .execute();
}

/** One dispatch by id: undefined when unknown, FORBIDDEN when its customer is outside the scope. */
export async function findDispatchInScope(db: Kysely<DB>, scope: Scope, id: string): Promise<SurveyDispatchRow | undefined> {
  const dispatch = await db.selectFrom('survey_dispatch').selectAll().where('id', '=', id).executeTakeFirst();
  if (dispatch) await assertCustomerInScope(db, scope, dispatch.customer_id, 'survey dispatch');
  return dispatch;
}

/** Responses of dispatches, only those whose customer is in scope. */
export async function findResponsesOfDispatches(db: Kysely<DB>, scope: Scope, dispatchIds: readonly string[]): Promise<SurveyResponseRow[]> {
  if (!dispatchIds.length) return [];
  return db
    .selectFrom('survey_response')
    .selectAll()
    .where('dispatch_id', 'in', [...dispatchIds])
    .where(customerInScope(scope, 'survey_response.customer_id'))
    .execute();
}

/** Records a response unless the dispatch has one already (unique dispatch id): false then. */
export async function insertResponseOnce(db: Kysely<DB>, row: Insertable<SurveyResponseTable>): Promise<boolean> {
  const inserted = await db
    .insertInto('survey_response')
    .values(row)
    .onConflict((oc) => oc.column('dispatch_id').doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export type SurveyResultsGrouping = 'BRANCH' | 'OFFICER' | 'MONTH' | 'SURVEY';

export interface SurveyResultsQuery {
  groupBy: SurveyResultsGrouping;
  surveyId?: string | null;
  branchId?: string | null;
  officerId?: string | null;
  from?: string | null;
  to?: string | null;
}

export interface SurveyResultRow {
  key: string | null;
  responses: number;
  nps_responses: number;
  promoters: number;
  passives: number;
  detractors: number;
  nps: string | null;
  csat_responses: number;
  average_csat: string | null;
}

/**
 * NPS and CSAT per group, computed in the database: NPS = 100 x (promoters - detractors) / NPS
 * answers, rounded to one decimal (PostgreSQL numeric round: half away from zero); average CSAT
 * rounded to two decimals. Branch and officer are those of the customer at dispatch time. Only
 * the responses of customers within the scope are counted.
 */
export async function aggregateSurveyResults(db: Kysely<DB>, scope: Scope, q: SurveyResultsQuery): Promise<SurveyResultRow[]> {
  const key =
    q.groupBy === 'BRANCH'
      ? sql<string | null>`branch_id`
      : q.groupBy === 'OFFICER'
        ? sql<string | null>`officer_id`
        : q.groupBy === 'SURVEY'
          ? sql<string | null>`survey_id`
          : sql<string | null>`to_char(responded_at at time zone 'UTC', 'YYYY-MM')`;
  const promoter = sql<boolean>`nps_score >= ${NPS_PROMOTER_MIN}`;
  const detractor = sql<boolean>`nps_score <= ${NPS_DETRACTOR_MAX}`;
  const rows = await db
    .selectFrom('survey_response')
    .select([
      key.as('key'),
      sql<string>`count(*)`.as('responses'),
      sql<string>`count(nps_score)`.as('nps_responses'),
      sql<string>`count(*) filter (where ${promoter})`.as('promoters'),
      sql<string>`count(*) filter (where not ${promoter} and not ${detractor})`.as('passives'),
      sql<string>`count(*) filter (where ${detractor})`.as('detractors'),
      sql<string | null>`round(100.0 * (count(*) filter (where ${promoter}) - count(*) filter (where ${detractor})) / nullif(count(nps_score), 0), 1)`.as(
        'nps',
      ),
      sql<string>`count(csat_score)`.as('csat_responses'),
      sql<string | null>`round(avg(csat_score), 2)`.as('average_csat'),
    ])
    .where(customerInScope(scope, 'survey_response.customer_id'))
    .$if(!!q.surveyId, (b) => b.where('survey_id', '=', q.surveyId ?? ''))
    .$if(!!q.branchId, (b) => b.where('branch_id', '=', q.branchId ?? ''))
    .$if(!!q.officerId, (b) => b.where('officer_id', '=', q.officerId ?? ''))
    .$if(!!q.from, (b) => b.where('responded_at', '>=', new Date(`${q.from}T00:00:00.000Z`)))
    .$if(!!q.to, (b) => b.where(sql<boolean>`responded_at < (${q.to}::date + 1)::timestamp at time zone 'UTC'`))
    .groupBy(sql`1`)
    .orderBy(sql`1`)
    .execute();
  return rows.map((r) => ({
    key: r.key,
    responses: Number(r.responses),
    nps_responses: Number(r.nps_responses),
    promoters: Number(r.promoters),
    passives: Number(r.passives),
    detractors: Number(r.detractors),
    nps: r.nps,
    csat_responses: Number(r.csat_responses),
    average_csat: r.average_csat,
  }));
}

/**
 * Sends the active survey of an occasion to one customer (branch and manager from the replica),
 * once per source key. Returns the dispatch, or null when no survey is set up for the occasion or
 * the occasion was served already.
 */
export async function dispatchTriggeredSurvey(
  db: Kysely<DB>,
  input: { id: string; trigger: SurveyTrigger; customerId: string; sourceKey: string; at: Date },
): Promise<SurveyDispatchRow | null> {
  const survey = await findTriggeredSurvey(db, input.trigger);
  if (!survey) return null;
  const customer = await db
    .selectFrom('customer_replica')
    .select(['branch_id', 'relationship_manager_id'])
    .where('id', '=', input.customerId)
    .executeTakeFirst();
  const [row] = await insertDispatches(db, [
    {
      id: input.id,
      survey_id: survey.id,
      customer_id: input.customerId,
      trigger: input.trigger,
      source_key: input.sourceKey,
      branch_id: customer?.branch_id ?? null,
      officer_id: customer?.relationship_manager_id ?? null,
      dispatched_by: null,
      dispatched_at: input.at,
    },
  ]);
  return row ?? null;
}

export interface DispatchQuery {
  customerId?: string | null;
  surveyId?: string | null;
  trigger?: SurveyTrigger | null;
  answered?: boolean | null;
}

/** Dispatches matching a filter, newest first (keyset on id). */
export async function findDispatches(db: Kysely<DB>, scope: Scope, filter: DispatchQuery, window: PageWindow): Promise<SurveyDispatchRow[]> {
  const afterId = window.after ? String(decodeCursor(window.after, 1)[0]) : null;
  const answered = (eb: ExpressionBuilder<DB, 'survey_dispatch'>) =>
    eb.exists(eb.selectFrom('survey_response as r').select('r.id').whereRef('r.dispatch_id', '=', 'survey_dispatch.id'));
  return db
    .selectFrom('survey_dispatch')
    .selectAll()
    .where(customerInScope(scope, 'survey_dispatch.customer_id'))
    .$if(!!filter.customerId, (q) => q.where('customer_id', '=', filter.customerId ?? ''))
    .$if(!!filter.surveyId, (q) => q.where('survey_id', '=', filter.surveyId ?? ''))
    .$if(!!filter.trigger, (q) => q.where('trigger', '=', filter.trigger ?? 'AFTER_DISBURSEMENT'))
    .$if(filter.answered === true, (q) => q.where((eb) => answered(eb)))
    .$if(filter.answered === false, (q) => q.where((eb) => eb.not(answered(eb))))
    .$if(afterId !== null, (q) => q.where('id', '<', afterId ?? ''))
    .orderBy('id', 'desc')
    .limit(window.limit)
    .execute();
}

export interface SurveyResponseQuery {
  surveyId?: string | null;
  customerId?: string | null;
  branchId?: string | null;
  officerId?: string | null;
  /** Answered on or after this date (UTC). */
  from?: string | null;
  /** Answered on or before this date (UTC). */
  to?: string | null;
}

function responseMatches(scope: Scope, filter: SurveyResponseQuery) {
  return (eb: ExpressionBuilder<DB, 'survey_response'>) => {
    const conditions: Expression<SqlBool>[] = [customerInScope(scope, 'survey_response.customer_id')];
    if (filter.surveyId) conditions.push(eb('survey_response.survey_id', '=', filter.surveyId));
    if (filter.customerId) conditions.push(eb('survey_response.customer_id', '=', filter.customerId));
    if (filter.branchId) conditions.push(eb('survey_response.branch_id', '=', filter.branchId));
    if (filter.officerId) conditions.push(eb('survey_response.officer_id', '=', filter.officerId));
    if (filter.from) conditions.push(eb('survey_response.responded_at', '>=', dayStart(filter.from)));
    if (filter.to) conditions.push(eb('survey_response.responded_at', '<', dayAfter(filter.to)));
    return eb.and(conditions);
  };
}

/** Keyset of a response (most recent first; ties on the instant by id). */
export const responseCursor = (row: SurveyResponseRow) => [row.responded_at.toISOString(), row.id];

/** Survey responses matching a filter: most recent first, or with `since` in change-feed order after it. */
export async function findSurveyResponses(db: Kysely<DB>, scope: Scope, filter: SurveyResponseQuery, page: ListPage): Promise<Stamped<SurveyResponseRow>[]> {
  const base = db.selectFrom('survey_response').selectAll('survey_response').where(responseMatches(scope, filter));
  if (page.since !== undefined) {
    return base
      .select(changeColumns('survey_response'))
      .where(changeFeedFilter('survey_response', page.since))
      .orderBy(changeOrder('survey_response'))
      .limit(page.limit)
      .execute();
  }
  const after = page.after ? decodeCursor(page.after, 2).map(String) : null;
  return base
    .$if(after !== null, (q) => q.where((eb) => eb(eb.refTuple('responded_at', 'id'), '<', eb.tuple(new Date(after?.[0] ?? ''), after?.[1] ?? ''))))
    .orderBy('survey_response.responded_at', 'desc')
    .orderBy('survey_response.id', 'desc')
    .limit(page.limit)
    .execute();
}

/** How many responses match (in a `changedSince` pull: changed after `since`). */
export async function countSurveyResponses(
  db: Kysely<DB>,
  scope: Scope,
  filter: SurveyResponseQuery,
  since: ChangePosition | null | undefined,
): Promise<number> {
  const row = await db
    .selectFrom('survey_response')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where(responseMatches(scope, filter))
    .$if(since !== undefined, (q) => q.where(changeFeedFilter('survey_response', since ?? null)))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The responses of many surveys, of customers in scope, with the survey as `_parent`. */
const responsesOfSurveys = (db: Kysely<DB>, scope: Scope, surveyIds: readonly string[]) =>
  db
    .selectFrom('survey_response')
    .selectAll()
    .select('survey_id as _parent')
    .where('survey_id', 'in', [...surveyIds])
    .where(customerInScope(scope, 'survey_response.customer_id'));

/** Per-survey order of responses: newest first, ties on the instant broken by id. */
const RESPONSE_ORDER: readonly SortKey[] = [
  { ref: 'responded_at', type: 'timestamptz' },
  { ref: 'id', type: 'text' },
];

/** `Survey.responses`: one page per survey after a cursor, in one statement (a window function). */
export async function findResponsesOfSurveys(
  db: Kysely<DB>,
  scope: Scope,
  surveyIds: readonly string[],
  window: PageWindow,
): Promise<Parented<SurveyResponseRow>[]> {
  if (!surveyIds.length) return [];
  return windowPages<SurveyResponseRow>(db, responsesOfSurveys(db, scope, surveyIds), RESPONSE_ORDER, 'desc', window);
}

/** Responses per survey in scope (`Survey.responses` totalCount), one grouped statement. */
export async function countResponsesOfSurveys(db: Kysely<DB>, scope: Scope, surveyIds: readonly string[]): Promise<Map<string, number>> {
  if (!surveyIds.length) return new Map();
  return countsOf(db, responsesOfSurveys(db, scope, surveyIds));
}
