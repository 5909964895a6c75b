import { type Kysely, sql } from 'kysely';

/**
 * Approval limits as data: per currency, the principal above which a loan needs a second approval
 * and (optionally) the outstanding principal above which only an administrator may write a loan
 * off. Seeded defaults (see the credit README); a currency without a row needs two approvals for
 * every loan (fail safe). First approver of a loan awaiting its second approval.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('approval_policy')
    .addColumn('currency', 'text', (c) => c.primaryKey().check(sql`currency ~ '^[A-Z]{3}$'`))
    .addColumn('second_approval_above', 'numeric', (c) => c.notNull().check(sql`second_approval_above >= 0 and scale(second_approval_above) <= 4`))
    .addColumn('write_off_admin_above', 'numeric', (c) => c.check(sql`write_off_admin_above >= 0 and scale(write_off_admin_above) <= 4`))
    .addColumn('updated_by', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`
    insert into approval_policy (currency, second_approval_above, write_off_admin_above, updated_by) values
      ('USD', 25000.00, 10000.00, 'seed'),
      ('EUR', 25000.00, 10000.00, 'seed'),
      ('XOF', 15000000.00, 6000000.00, 'seed'),
      ('XAF', 15000000.00, 6000000.00, 'seed'),
      ('GHS', 300000.00, 120000.00, 'seed'),
      ('KES', 3000000.00, 1200000.00, 'seed'),
      ('NGN', 35000000.00, 14000000.00, 'seed'),
      ('KWD', 7500.000, 3000.000, 'seed')
  `.execute(db);
  await db.schema.alterTable('loan').addColumn('first_approved_by', 'text').execute();
  await db.schema.alterTable('loan').addColumn('first_approved_at', 'timestamptz').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('loan').dropColumn('first_approved_at').execute();
  await db.schema.alterTable('loan').dropColumn('first_approved_by').execute();
  await db.schema.dropTable('approval_policy').execute();
}
