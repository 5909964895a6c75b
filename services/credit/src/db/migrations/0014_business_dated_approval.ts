import { type Kysely, sql } from 'kysely';

/**
 * The business date a loan was approved on (issue 10): a disbursement may not be dated before its
 * approval, and both are business dates, which outside production may be set apart from the wall
 * clock (a loan approved and disbursed on the business date 15 Jan 2022 while the wall clock says
 * December 2026). `approved_at` stays the wall-clock instant. Loans approved before this migration
 * take the UTC date of that instant (what the check compared with until now).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('loan').addColumn('approved_on', 'date').execute();
  await sql`update loan set approved_on = (approved_at at time zone 'UTC')::date where approved_at is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('loan').dropColumn('approved_on').execute();
}
