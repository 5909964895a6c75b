import type { Kysely } from 'kysely';

/** Idempotency keys for the remaining creating mutations (survey definitions, customer events). */
// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and written against an untyped database.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('survey')
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .execute();
  await db.schema
    .alterTable('care_event')
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up().
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('care_event').dropColumn('idempotency_key').execute();
  await db.schema.alterTable('survey').dropColumn('idempotency_key').execute();
}
