import type { ChangePosition } from '@crm/service-kit';
import { changeColumns, changeFeedFilter, changeOrder, decodeCursor } from '@crm/service-kit';
import { type Expression, type ExpressionBuilder, type Kysely, type SqlBool, sql, type Updateable } from 'kysely';
import type { ListPage } from './filters.ts';
import type { DB, Stamped } from './schema.ts';
import type { KnowledgeArticleRow, KnowledgeArticleTable, NewKnowledgeArticle } from './service-centre.tables.ts';

/**
 * The knowledge base: institution-wide articles (no customer data, so no branch scope). The search
 * vector is kept by a trigger (migration 0040); the search is a `to_tsquery('simple', ...)` of the
 * words' prefixes (domain/service-centre.ts#searchQuery), ranked by `ts_rank`, which PostgreSQL
 * and PGlite both have.
 */

/** Every column but the search vector. */
const COLUMNS = [
  'knowledge_article.id',
  'knowledge_article.question',
  'knowledge_article.answer',
  'knowledge_article.product',
  'knowledge_article.tags',
  'knowledge_article.status',
  'knowledge_article.created_by',
  'knowledge_article.created_at',
  'knowledge_article.updated_by',
  'knowledge_article.updated_at',
  'knowledge_article.retired_at',
  'knowledge_article.idempotency_key',
] as const;

export async function insertArticle(db: Kysely<DB>, row: NewKnowledgeArticle): Promise<void> {
  await db.insertInto('knowledge_article').values(row).execute();
}

export async function findArticleIdByIdempotencyKey(db: Kysely<DB>, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('knowledge_article').select('id').where('idempotency_key', '=', key).executeTakeFirst();
  return row?.id;
}

export async function findArticlesByIds(db: Kysely<DB>, ids: readonly string[]): Promise<KnowledgeArticleRow[]> {
  if (!ids.length) return [];
  return db
    .selectFrom('knowledge_article')
    .select(COLUMNS)
    .where('id', 'in', [...ids])
    .execute();
}

/** One article to change, locked until the transaction ends. */
export async function findArticleForUpdate(db: Kysely<DB>, id: string): Promise<KnowledgeArticleRow | undefined> {
  return db.selectFrom('knowledge_article').select(COLUMNS).where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function updateArticle(db: Kysely<DB>, id: string, patch: Updateable<KnowledgeArticleTable>): Promise<KnowledgeArticleRow> {
  return db
    .updateTable('knowledge_article')
    .set(patch)
    .where('id', '=', id)
    .returning([...COLUMNS])
    .executeTakeFirstOrThrow();
}

export interface ArticleQuery {
  /** The tsquery text of a search (domain searchQuery), or null. */
  query?: string | null;
  product?: string | null;
  tag?: string | null;
  includeRetired?: boolean | null;
}

const tsQuery = (query: string) => sql`to_tsquery('simple', ${query})`;
/** Relevance with six decimals: an exact keyset value (numeric), the same in the order and in the cursor. */
const relevanceOf = (query: string) => sql<string>`round(ts_rank(knowledge_article.search, ${tsQuery(query)})::numeric, 6)`;

function matches(filter: ArticleQuery) {
  return (eb: ExpressionBuilder<DB, 'knowledge_article'>) => {
    const conditions: Expression<SqlBool>[] = [];
    if (!filter.includeRetired) conditions.push(eb('knowledge_article.status', '=', 'ACTIVE'));
    if (filter.query) conditions.push(sql<SqlBool>`knowledge_article.search @@ ${tsQuery(filter.query)}`);
    if (filter.product) conditions.push(sql<SqlBool>`lower(knowledge_article.product) = lower(${filter.product})`);
    if (filter.tag) conditions.push(sql<SqlBool>`knowledge_article.tags @> ${JSON.stringify([filter.tag.trim().toLowerCase()])}::jsonb`);
    return eb.and(conditions);
  };
}

/** Keyset of a searched article: relevance (desc), then id (desc). */
export const searchCursor = (row: KnowledgeArticleRow) => [row.relevance ?? '0', row.id];

/**
 * Articles matching a filter: with a search best first (relevance, then newest), else newest first
 * (keyset on id), or with `since` in change-feed order after it.
 */
export async function findArticles(db: Kysely<DB>, filter: ArticleQuery, page: ListPage): Promise<Stamped<KnowledgeArticleRow>[]> {
  const query = filter.query ?? null;
  const base = db
    .selectFrom('knowledge_article')
    .select(COLUMNS)
    .$if(query !== null, (q) => q.select(relevanceOf(query ?? '').as('relevance')))
    .where(matches(filter));
  if (page.since !== undefined) {
    return base
      .select(changeColumns('knowledge_article'))
      .where(changeFeedFilter('knowledge_article', page.since))
      .orderBy(changeOrder('knowledge_article'))
      .limit(page.limit)
      .execute();
  }
  if (query !== null) {
    const after = page.after ? decodeCursor(page.after, 2).map(String) : null;
    return db
      .selectFrom(base.as('a'))
      .selectAll()
      .$if(after !== null, (q) => q.where(sql<SqlBool>`(a.relevance, a.id) < (${after?.[0] ?? '0'}::numeric, ${after?.[1] ?? ''})`))
      .orderBy('a.relevance', 'desc')
      .orderBy('a.id', 'desc')
      .limit(page.limit)
      .execute();
  }
  const afterId = page.after ? String(decodeCursor(page.after, 1)[0]) : null;
  return base
    .$if(afterId !== null, (q) => q.where('knowledge_article.id', '<', afterId ?? ''))
    .orderBy('knowledge_article.id', 'desc')
    .limit(page.limit)
    .execute();
}

/** How many articles match (in a `changedSince` pull: changed after `since`). */
export async function countArticles(db: Kysely<DB>, filter: ArticleQuery, since: ChangePosition | null | undefined): Promise<number> {
  const row = await db
    .selectFrom('knowledge_article')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where(matches(filter))
    .$if(since !== undefined, (q) => q.where(changeFeedFilter('knowledge_article', since ?? null)))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
