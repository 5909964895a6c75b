import { type Kysely, sql } from 'kysely';

/**
 * The outcome of a resolved risk warning (issue 15, "did it work"): what the handling achieved,
 * who recorded it and when, and whether the warning was resolved before its loan went more than
 * 30 days past due (from the end-of-day snapshots, fixed when the outcome is recorded).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('risk_warning')
    .addColumn('outcome', 'text', (c) => c.check(sql`outcome in ('CURED', 'RESTRUCTURED', 'RECOVERY', 'FALSE_ALARM')`))
    .addColumn('outcome_recorded_by', 'text')
    .addColumn('outcome_recorded_at', 'timestamptz')
    .addColumn('resolved_before_30_dpd', 'boolean')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const column of ['resolved_before_30_dpd', 'outcome_recorded_at', 'outcome_recorded_by', 'outcome'])
    await db.schema.alterTable('risk_warning').dropColumn(column).execute();
}
