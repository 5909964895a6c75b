import { changeTrackingMigration } from '@crm/service-kit';
import { type Kysely, sql } from 'kysely';

/**
 * The service centre (issue 15): a knowledge base searchable in SQL, enquiries of customers and
 * prospects, and the leads they are handed over as. Articles, enquiries and leads are in the
 * `changedSince` feeds.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and written against an untyped database.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('knowledge_article')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('question', 'text', (c) => c.notNull())
    .addColumn('answer', 'text', (c) => c.notNull())
    .addColumn('product', 'text')
    .addColumn('tags', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('ACTIVE', 'RETIRED')`))
    .addColumn('search', sql`tsvector`, (c) => c.notNull().defaultTo(sql`''::tsvector`))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('retired_at', 'timestamptz')
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .execute();
  // The search vector, 'simple' configuration (no stemming, any language; the search matches word
  // prefixes instead): the question weighs most (A), then product and tags (B), then the answer (C).
  await sql`create function knowledge_article_search() returns trigger language plpgsql as $$
    begin
      new.search :=
        setweight(to_tsvector('simple', coalesce(new.question, '')), 'A') ||
        setweight(to_tsvector('simple', coalesce(new.product, '')), 'B') ||
        setweight(to_tsvector('simple', coalesce((select string_agg(t, ' ') from jsonb_array_elements_text(new.tags) t), '')), 'B') ||
        setweight(to_tsvector('simple', coalesce(new.answer, '')), 'C');
      return new;
    end $$`.execute(db);
  await sql`create trigger knowledge_article_search before insert or update of question, answer, product, tags on knowledge_article
    for each row execute function knowledge_article_search()`.execute(db);
  await sql`create index knowledge_article_search_idx on knowledge_article using gin (search)`.execute(db);

  await db.schema
    .createTable('enquiry')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text')
    .addColumn('prospect_name', 'text')
    .addColumn('prospect_phone', 'text')
    .addColumn('branch_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('question', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('OPEN', 'ANSWERED', 'HANDED_OVER')`))
    .addColumn('received_by', 'text', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .addColumn('article_id', 'text', (c) => c.references('knowledge_article.id'))
    .addColumn('answer', 'text')
    .addColumn('answered_by', 'text')
    .addColumn('answered_at', 'timestamptz')
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint('enquiry_customer_or_prospect', sql`customer_id is not null or prospect_name is not null`)
    .execute();
  await db.schema.createIndex('enquiry_customer_idx').on('enquiry').columns(['customer_id', 'id']).execute();
  await db.schema.createIndex('enquiry_received_idx').on('enquiry').columns(['received_at', 'id']).execute();

  await db.schema
    .createTable('lead')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('enquiry_id', 'text', (c) => c.notNull().unique().references('enquiry.id'))
    .addColumn('customer_id', 'text')
    .addColumn('branch_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('NEW_LOAN', 'TOP_UP', 'RESTRUCTURING', 'COMPLAINT', 'OTHER')`))
    .addColumn('owner_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('OPEN', 'CONTACTED', 'CONVERTED', 'LOST')`))
    .addColumn('note', 'text')
    .addColumn('outcome', 'text')
    .addColumn('application_id', 'text')
    .addColumn('restructuring_id', 'text')
    .addColumn('complaint_id', 'text', (c) => c.references('complaint.id'))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('contacted_at', 'timestamptz')
    .addColumn('closed_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('lead_customer_status_idx').on('lead').columns(['customer_id', 'status']).execute();
  await db.schema.createIndex('lead_owner_idx').on('lead').columns(['owner_id', 'id']).execute();
  await db.schema.createIndex('lead_created_idx').on('lead').columns(['created_at', 'id']).execute();

  await changeTrackingMigration([
    { table: 'knowledge_article', key: 'id' },
    { table: 'enquiry', key: 'id' },
    { table: 'lead', key: 'id' },
  ]).up(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see up().
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('lead').execute();
  await db.schema.dropTable('enquiry').execute();
  await db.schema.dropTable('knowledge_article').execute();
  await sql`drop function knowledge_article_search()`.execute(db);
}
