import { type Kysely, sql } from 'kysely';

/**
 * Issue 10, the remaining conventions (see the credit README "Conventions"):
 * - interest method DAILY_ACCRUAL: interest accrues day by day on the principal actually
 *   outstanding; an instalment's `interest` is restated to what accrues in its window and its
 *   expected figure stays in `scheduled_interest`; the end-of-day snapshot keeps the interest
 *   accrued and unpaid as of its date;
 * - the disbursement fee may be financed (added to the principal the schedule amortises:
 *   `loan.financed_amount`) instead of deducted;
 * - a per-instalment fee: its own part of each instalment (`fee`, `fee_paid`, `fee_waived` when a
 *   settlement no longer charges it), of each allocation line and of each repayment.
 */
const money = (column: string) => sql`scale(${sql.ref(column)}) <= 4 and abs(${sql.ref(column)}) < 1e18`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table loan_product drop constraint if exists loan_product_interest_method_check`.execute(db);
  await sql`alter table loan_product add constraint loan_product_interest_method_check
    check (interest_method in ('DECLINING_BALANCE', 'FLAT', 'DAILY_ACCRUAL'))`.execute(db);
  await db.schema
    .alterTable('loan_product')
    .addColumn('disbursement_fee_financed', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('instalment_fee', 'numeric', (c) => c.check(sql`instalment_fee >= 0 and scale(instalment_fee) <= 4`))
    .execute();
  await db.schema
    .alterTable('loan')
    .addColumn('financed_amount', 'numeric', (c) => c.check(sql`financed_amount > 0 and scale(financed_amount) <= 4`))
    .execute();
  await db.schema
    .alterTable('instalment')
    .addColumn('fee', 'numeric', (c) => c.notNull().defaultTo(0).check(money('fee')))
    .addColumn('fee_paid', 'numeric', (c) => c.notNull().defaultTo(0).check(money('fee_paid')))
    .addColumn('fee_waived', 'numeric', (c) => c.notNull().defaultTo(0).check(money('fee_waived')))
    .addColumn('scheduled_interest', 'numeric', (c) => c.check(money('scheduled_interest')))
    .execute();
  await db.schema
    .alterTable('repayment')
    .addColumn('fee_paid', 'numeric', (c) => c.notNull().defaultTo(0).check(money('fee_paid')))
    .execute();
  await db.schema
    .alterTable('repayment_allocation')
    .addColumn('fee', 'numeric', (c) => c.notNull().defaultTo(0).check(money('fee')))
    .execute();
  await db.schema
    .alterTable('loan_delinquency')
    .addColumn('accrued_interest', 'numeric', (c) => c.check(money('accrued_interest')))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('loan_delinquency').dropColumn('accrued_interest').execute();
  await db.schema.alterTable('repayment_allocation').dropColumn('fee').execute();
  await db.schema.alterTable('repayment').dropColumn('fee_paid').execute();
  for (const column of ['scheduled_interest', 'fee_waived', 'fee_paid', 'fee']) await db.schema.alterTable('instalment').dropColumn(column).execute();
  await db.schema.alterTable('loan').dropColumn('financed_amount').execute();
  for (const column of ['instalment_fee', 'disbursement_fee_financed']) await db.schema.alterTable('loan_product').dropColumn(column).execute();
  await sql`alter table loan_product drop constraint if exists loan_product_interest_method_check`.execute(db);
  await sql`alter table loan_product add constraint loan_product_interest_method_check check (interest_method in ('DECLINING_BALANCE', 'FLAT'))`.execute(db);
}
