import { type Kysely, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and written against an untyped database.
export async function up(db: Kysely<any>): Promise<void> {
  // Who changed the programme (rules, tiers, rewards, settings), when, from what to what.
  await db.schema
    .createTable('programme_change')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('entity_key', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('changed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('before', 'jsonb')
    .addColumn('after', 'jsonb', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('programme_change_entity_idx').on('programme_change').columns(['entity', 'entity_key', 'id']).execute();
  await db.schema.alterTable('redemption').addColumn('cancelled_by', 'text').execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up().
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('redemption').dropColumn('cancelled_by').execute();
  await db.schema.dropTable('programme_change').execute();
}
