import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and written against an untyped database.
export async function up(db: Kysely<any>): Promise<void> {
  // A reversed repayment leaves instalments unpaid again (RepaymentReversed lists their numbers):
  // the INSTALMENT_PAID signals of those instalments are marked with the reversal's event id and
  // date, and stop counting from that date. Signals from before these columns have no instalment
  // number and cannot be matched.
  await db.schema
    .alterTable('value_signal')
    .addColumn('instalment_number', 'integer')
    .addColumn('reversed_by', 'text')
    .addColumn('reversed_on', 'date')
    .execute();
  await db.schema.createIndex('value_signal_instalment_idx').on('value_signal').columns(['loan_id', 'instalment_number']).execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up.
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('value_signal_instalment_idx').execute();
  await db.schema.alterTable('value_signal').dropColumn('instalment_number').dropColumn('reversed_by').dropColumn('reversed_on').execute();
}
