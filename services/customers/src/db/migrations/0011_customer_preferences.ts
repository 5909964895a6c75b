import { type Kysely, sql } from 'kysely';

/**
 * Customer preferences (issue 15): the contact time window ("HH:MM-HH:MM", local time), interests
 * (codes) and education level, beside the preferred channel and language the customer row has
 * held since 0001. Used by notifications, offers and segments.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and written against an untyped database.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('customer')
    .addColumn('contact_time', 'text')
    .addColumn('interests', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('education_level', 'text', (c) => c.check(sql`education_level in ('NONE', 'PRIMARY', 'SECONDARY', 'VOCATIONAL', 'TERTIARY', 'POSTGRADUATE')`))
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up().
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('customer').dropColumn('education_level').dropColumn('interests').dropColumn('contact_time').execute();
}
