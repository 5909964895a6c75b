import { type Kysely, sql } from 'kysely';

/**
 * Reversal of repayments: who reversed one, when and why; and the interest an overpayment
 * waived on each instalment, so the instalment's scheduled interest can be restored when the
 * remaining repayments are allocated again from scratch.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('repayment').addColumn('reversed_at', 'timestamptz').execute();
  await db.schema.alterTable('repayment').addColumn('reversed_by', 'text').execute();
  await db.schema.alterTable('repayment').addColumn('reversal_reason', 'text').execute();
  await db.schema
    .alterTable('instalment')
    .addColumn('interest_waived', 'numeric', (c) => c.notNull().defaultTo(sql`0`))
    .execute();
  await sql`alter table instalment add constraint instalment_interest_waived_scale check (scale(interest_waived) <= 4 and abs(interest_waived) < 1e18)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('instalment').dropColumn('interest_waived').execute();
  await db.schema.alterTable('repayment').dropColumn('reversal_reason').execute();
  await db.schema.alterTable('repayment').dropColumn('reversed_by').execute();
  await db.schema.alterTable('repayment').dropColumn('reversed_at').execute();
}
