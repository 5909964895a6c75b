import { type Kysely, sql } from 'kysely';

/**
 * Reminder lead days per loan product (issue 15): an unpaid instalment gets its InstalmentDue
 * (engagement's due reminder) this many days before its due date. 3 (the former fixed lead) for
 * every product until changed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('loan_product')
    .addColumn('due_reminder_days', 'integer', (c) => c.notNull().defaultTo(3).check(sql`due_reminder_days between 0 and 60`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('loan_product').dropColumn('due_reminder_days').execute();
}
