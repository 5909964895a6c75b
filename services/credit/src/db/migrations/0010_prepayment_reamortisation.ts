import { type Kysely, sql } from 'kysely';

/**
 * Prepayments re-amortise the rest of the schedule (a new schedule version): the overpayment
 * policy gains REDUCE_INSTALMENT_AMOUNT (keep the term, lower the instalment) besides
 * REDUCE_LAST_INSTALMENTS (keep the instalment, shorten the term) and REFUSE; a repayment records
 * the schedule version its prepayment created.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table loan_product drop constraint if exists loan_product_overpayment_policy_check`.execute(db);
  await sql`alter table loan_product add constraint loan_product_overpayment_policy_check
    check (overpayment_policy in ('REDUCE_LAST_INSTALMENTS', 'REDUCE_INSTALMENT_AMOUNT', 'REFUSE'))`.execute(db);
  await db.schema.alterTable('repayment').addColumn('rescheduled_version', 'integer').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('repayment').dropColumn('rescheduled_version').execute();
  await sql`alter table loan_product drop constraint if exists loan_product_overpayment_policy_check`.execute(db);
  await sql`alter table loan_product add constraint loan_product_overpayment_policy_check
    check (overpayment_policy in ('REDUCE_LAST_INSTALMENTS', 'REFUSE'))`.execute(db);
}
