import { type Kysely, sql } from 'kysely';

/**
 * Loyalty pricing (issue 15, next-best offer): credit's replica of each customer's loyalty tier and
 * its rate discount (fed by loyalty's TierChanged and LoyaltyTierDefined events), and the pricing
 * a loan was applied for with: the rate asked for, the tier and its discount in basis points, the
 * discount actually taken off (after the product's floor) and that floor. Loans applied for before
 * this migration have no pricing (null).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('customer_tier_replica')
    .addColumn('customer_id', 'text', (c) => c.primaryKey())
    .addColumn('tier', 'text', (c) => c.notNull())
    .addColumn('rate_discount_bps', 'integer', (c) => c.notNull().check(sql`rate_discount_bps between 0 and 10000`))
    .addColumn('tier_effective_on', 'date', (c) => c.notNull())
    // the time of the TierChanged that set the tier (later events win, older ones change nothing)
    .addColumn('tier_as_of', 'timestamptz', (c) => c.notNull())
    // the time of the fact the discount comes from (TierChanged, or a later LoyaltyTierDefined)
    .addColumn('discount_as_of', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('customer_tier_replica_tier_idx').on('customer_tier_replica').column('tier').execute();
  await db.schema
    .createTable('loyalty_tier_replica')
    .addColumn('tier', 'text', (c) => c.primaryKey())
    .addColumn('rate_discount_bps', 'integer', (c) => c.notNull().check(sql`rate_discount_bps between 0 and 10000`))
    .addColumn('defined_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .alterTable('loan')
    .addColumn('base_annual_rate', 'numeric(9, 6)')
    .addColumn('pricing_tier', 'text')
    .addColumn('rate_discount_bps', 'integer', (c) => c.check(sql`rate_discount_bps between 0 and 10000`))
    .addColumn('rate_discount', 'numeric(9, 6)', (c) => c.check(sql`rate_discount >= 0`))
    .addColumn('floor_rate', 'numeric(9, 6)')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const column of ['floor_rate', 'rate_discount', 'rate_discount_bps', 'pricing_tier', 'base_annual_rate'])
    await db.schema.alterTable('loan').dropColumn(column).execute();
  await db.schema.dropTable('loyalty_tier_replica').execute();
  await db.schema.dropTable('customer_tier_replica').execute();
}
