import { type Kysely, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and written against an untyped database.
export async function up(db: Kysely<any>): Promise<void> {
  // What one point is worth to the programme (POINTS_LIABILITY in loyaltyKpi): optional, set by
  // administrators with updateLoyaltySettings; both or neither.
  await db.schema
    .alterTable('loyalty_setting')
    .addColumn('point_value', 'numeric(18, 6)', (c) => c.check(sql`point_value > 0`))
    .execute();
  await db.schema.alterTable('loyalty_setting').addColumn('point_value_currency', 'text').execute();
  await sql`alter table loyalty_setting add constraint loyalty_setting_point_value_ck
    check ((point_value is null) = (point_value_currency is null))`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see up().
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('loyalty_setting').dropConstraint('loyalty_setting_point_value_ck').execute();
  await db.schema.alterTable('loyalty_setting').dropColumn('point_value_currency').execute();
  await db.schema.alterTable('loyalty_setting').dropColumn('point_value').execute();
}
