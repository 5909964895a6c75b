import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and written against an untyped database.
export async function up(db: Kysely<any>): Promise<void> {
  // The interest and penalty parts of a paid instalment, as credit allocated them (InstalmentPaid
  // carries them since the split was published). Null on signals from older events: the value
  // score then falls back to the total repaid for those instalments.
  await db.schema.alterTable('value_signal').addColumn('interest_paid', 'numeric(20, 2)').addColumn('penalty_paid', 'numeric(20, 2)').execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up.
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('value_signal').dropColumn('interest_paid').dropColumn('penalty_paid').execute();
}
