import { type Kysely, sql } from 'kysely';

/**
 * The bucket and the DPD-driven risk class other services were last told about each loan
 * (DelinquencyBucketChanged, RiskClassChanged): the end-of-day run compares against these, not
 * against the previous date's snapshot, so a return to an earlier bucket is published too.
 * Loans already evaluated start from their current figures (what the runs so far announced).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('loan').addColumn('published_bucket', 'text').execute();
  await db.schema.alterTable('loan').addColumn('published_risk_class', 'text').execute();
  await sql`update loan set published_bucket = bucket, published_risk_class = computed_risk_class where delinquency_as_of is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('loan').dropColumn('published_risk_class').execute();
  await db.schema.alterTable('loan').dropColumn('published_bucket').execute();
}
