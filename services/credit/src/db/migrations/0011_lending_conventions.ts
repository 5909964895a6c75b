import { type Kysely, sql } from 'kysely';

/**
 * Lending conventions as product settings (all optional, today's behaviour by default): more day
 * counts, the interest method, the rounding mode and instalment multiple, the first-period bounds,
 * principal and interest grace, a disbursement fee and a penalty cap. A loan records its chosen
 * first due date, its fee, the amount actually paid out and its effective annual rate. The
 * institution's business date has a table of its own (one row per institution).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table loan_product drop constraint if exists loan_product_day_count_check`.execute(db);
  await sql`alter table loan_product add constraint loan_product_day_count_check
    check (day_count in ('THIRTY_360', 'THIRTY_360_US', 'ACTUAL_360', 'ACTUAL_365', 'ACTUAL_ACTUAL_ISDA'))`.execute(db);
  await db.schema
    .alterTable('loan_product')
    .addColumn('interest_method', 'text', (c) => c.notNull().defaultTo('DECLINING_BALANCE').check(sql`interest_method in ('DECLINING_BALANCE', 'FLAT')`))
    .addColumn('rounding_mode', 'text', (c) => c.notNull().defaultTo('HALF_UP').check(sql`rounding_mode in ('HALF_UP', 'HALF_EVEN')`))
    .addColumn('instalment_multiple', 'numeric', (c) => c.check(sql`instalment_multiple > 0 and scale(instalment_multiple) <= 4`))
    .addColumn('min_first_period_days', 'integer')
    .addColumn('max_first_period_days', 'integer')
    .addColumn('principal_grace_periods', 'integer', (c) => c.notNull().defaultTo(0).check(sql`principal_grace_periods >= 0`))
    .addColumn('interest_grace_periods', 'integer', (c) => c.notNull().defaultTo(0).check(sql`interest_grace_periods >= 0`))
    .addColumn('disbursement_fee_rate', 'numeric', (c) => c.check(sql`disbursement_fee_rate >= 0 and disbursement_fee_rate < 1`))
    .addColumn('disbursement_fee_flat', 'numeric', (c) => c.check(sql`disbursement_fee_flat >= 0 and scale(disbursement_fee_flat) <= 4`))
    .addColumn('penalty_cap_rate', 'numeric', (c) => c.check(sql`penalty_cap_rate >= 0`))
    .execute();
  await db.schema
    .alterTable('loan')
    .addColumn('first_due_date', 'date')
    .addColumn('disbursement_fee', 'numeric', (c) => c.check(sql`scale(disbursement_fee) <= 4 and disbursement_fee >= 0`))
    .addColumn('net_disbursed', 'numeric', (c) => c.check(sql`scale(net_disbursed) <= 4`))
    .addColumn('effective_annual_rate', 'numeric')
    .execute();
  await db.schema
    .createTable('business_date')
    .addColumn('institution', 'text', (c) => c.primaryKey())
    .addColumn('business_date', 'date', (c) => c.notNull())
    .addColumn('last_closed_on', 'date')
    .addColumn('updated_by', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('business_date').execute();
  for (const column of ['effective_annual_rate', 'net_disbursed', 'disbursement_fee', 'first_due_date'])
    await db.schema.alterTable('loan').dropColumn(column).execute();
  for (const column of [
    'penalty_cap_rate',
    'disbursement_fee_flat',
    'disbursement_fee_rate',
    'interest_grace_periods',
    'principal_grace_periods',
    'max_first_period_days',
    'min_first_period_days',
    'instalment_multiple',
    'rounding_mode',
    'interest_method',
  ])
    await db.schema.alterTable('loan_product').dropColumn(column).execute();
  await sql`alter table loan_product drop constraint if exists loan_product_day_count_check`.execute(db);
  await sql`alter table loan_product add constraint loan_product_day_count_check check (day_count in ('THIRTY_360', 'ACTUAL_365'))`.execute(db);
}
