import { type Kysely, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and written against an untyped database.
export async function up(db: Kysely<any>): Promise<void> {
  // Programme settings: one row, changed by administrators.
  await db.schema
    .createTable('loyalty_setting')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('points_validity_months', 'integer', (c) => c.notNull().check(sql`points_validity_months > 0`))
    .addColumn('expiry_warning_days', 'integer', (c) => c.notNull().check(sql`expiry_warning_days >= 0`))
    .addColumn('tier_window_months', 'integer', (c) => c.notNull().check(sql`tier_window_months > 0`))
    .addColumn('tier_grace_days', 'integer', (c) => c.notNull().check(sql`tier_grace_days >= 0`))
    .execute();
  await db
    .insertInto('loyalty_setting')
    .values({ id: 1, points_validity_months: 24, expiry_warning_days: 30, tier_window_months: 12, tier_grace_days: 30 })
    .execute();

  await db.schema
    .createTable('loyalty_tier')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('rank', 'integer', (c) => c.notNull().unique())
    .addColumn('threshold', 'integer', (c) => c.notNull().unique().check(sql`threshold >= 0`))
    .addColumn('multiplier', 'numeric(6, 3)', (c) => c.notNull().check(sql`multiplier > 0`))
    .addColumn('rate_discount_bps', 'integer', (c) => c.notNull().check(sql`rate_discount_bps between 0 and 10000`))
    .addColumn('fee_waivers_per_year', 'integer', (c) => c.notNull().check(sql`fee_waivers_per_year >= 0`))
    .addColumn('priority_service', 'boolean', (c) => c.notNull())
    .addColumn('dedicated_manager', 'boolean', (c) => c.notNull())
    .addColumn('birthday_gift', 'boolean', (c) => c.notNull())
    .execute();
  await db
    .insertInto('loyalty_tier')
    .values([
      t('BRONZE', 'Bronze', 1, 0, '1.000', 0, 0, false, false, false),
      t('SILVER', 'Silver', 2, 1000, '1.250', 10, 1, false, false, true),
      t('GOLD', 'Gold', 3, 5000, '1.500', 25, 2, true, false, true),
      t('PLATINUM', 'Platinum', 4, 15000, '2.000', 50, 4, true, true, true),
    ])
    .execute();

  // Earning rules: FIXED points, or PROPORTIONAL to an amount (rate points per currency unit), rounded down.
  await db.schema
    .alterTable('earning_rule')
    .addColumn('calculation', 'text', (c) => c.notNull().defaultTo('FIXED').check(sql`calculation in ('FIXED', 'PROPORTIONAL')`))
    .execute();
  await db.schema.alterTable('earning_rule').addColumn('rate', 'numeric(12, 6)').execute();
  await db.schema
    .alterTable('earning_rule')
    .addColumn('tier_multiplier', 'boolean', (c) => c.notNull().defaultTo(true))
    .execute();
  await db
    .insertInto('earning_rule')
    .values([
      {
        code: 'ON_TIME_INSTALMENT',
        description: 'Instalment paid on time',
        points: 10,
        calculation: 'PROPORTIONAL',
        rate: '0.01',
        tier_multiplier: true,
        active: true,
      },
      {
        code: 'LOAN_REPAID_ON_TIME',
        description: 'Loan repaid in full on time',
        points: 500,
        calculation: 'FIXED',
        rate: null,
        tier_multiplier: true,
        active: true,
      },
      { code: 'REPEAT_LOAN', description: 'Repeat loan disbursed', points: 200, calculation: 'FIXED', rate: null, tier_multiplier: true, active: true },
      { code: 'SURVEY_COMPLETED', description: 'Survey completed', points: 50, calculation: 'FIXED', rate: null, tier_multiplier: false, active: true },
      {
        code: 'REFERRAL_CONVERTED',
        description: "Referred customer's first loan disbursed",
        points: 300,
        calculation: 'FIXED',
        rate: null,
        tier_multiplier: true,
        active: true,
      },
      { code: 'BIRTHDAY_BONUS', description: 'Birthday bonus', points: 100, calculation: 'FIXED', rate: null, tier_multiplier: true, active: true },
    ])
    .execute();

  // The account doubles as the local replica of what loyalty needs from CustomerRegistered.
  await db.schema.alterTable('loyalty_account').addColumn('branch_id', 'text').execute();
  await db.schema.alterTable('loyalty_account').addColumn('birth_date', 'date').execute();
  await db.schema.alterTable('loyalty_account').addColumn('tier_since', 'date').execute();
  // Set when the member stopped qualifying: the tier drops on this date unless they requalify.
  await db.schema.alterTable('loyalty_account').addColumn('downgrade_on', 'date').execute();
  await db.schema.createIndex('loyalty_account_branch_idx').on('loyalty_account').column('branch_id').execute();

  // Ledger: the rule that earned, the business key a rule earns once for, who adjusted.
  await db.schema.alterTable('points_entry').addColumn('rule_code', 'text').execute();
  await db.schema.alterTable('points_entry').addColumn('source_ref', 'text').execute();
  await db.schema.alterTable('points_entry').addColumn('actor_id', 'text').execute();
  await db.schema.createIndex('points_entry_rule_source_uq').on('points_entry').columns(['account_id', 'rule_code', 'source_ref']).unique().execute();
  await db.schema.createIndex('points_entry_created_idx').on('points_entry').columns(['created_at']).execute();

  await db.schema
    .createTable('points_expiry_warning')
    .addColumn('account_id', 'text', (c) => c.notNull().references('loyalty_account.id'))
    .addColumn('expires_on', 'date', (c) => c.notNull())
    .addColumn('points', 'integer', (c) => c.notNull())
    .addColumn('warned_on', 'date', (c) => c.notNull())
    .addPrimaryKeyConstraint('points_expiry_warning_pk', ['account_id', 'expires_on'])
    .execute();

  await db.schema
    .createTable('reward')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('GIFT', 'RATE_DISCOUNT_VOUCHER', 'FEE_WAIVER')`))
    .addColumn('points_cost', 'integer', (c) => c.notNull().check(sql`points_cost > 0`))
    .addColumn('stock', 'integer', (c) => c.check(sql`stock >= 0`))
    .addColumn('min_tier', 'text', (c) => c.references('loyalty_tier.code'))
    .addColumn('rate_discount_bps', 'integer')
    .addColumn('face_value', 'numeric(18, 2)')
    .addColumn('currency', 'text')
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('redemption')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('loyalty_account.id'))
    .addColumn('reward_id', 'text', (c) => c.notNull().references('reward.id'))
    .addColumn('points', 'integer', (c) => c.notNull().check(sql`points > 0`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('ACTIVE', 'CANCELLED')`))
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .addColumn('redeemed_by', 'text', (c) => c.notNull())
    .addColumn('redeemed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('cancelled_at', 'timestamptz')
    .addColumn('cancel_reason', 'text')
    .execute();
  await db.schema.createIndex('redemption_account_idx').on('redemption').columns(['account_id', 'id']).execute();

  await db.schema
    .createTable('referral')
    .addColumn('referred_customer_id', 'text', (c) => c.primaryKey())
    .addColumn('referrer_account_id', 'text', (c) => c.notNull().references('loyalty_account.id'))
    .addColumn('referral_code', 'text', (c) => c.notNull())
    .addColumn('registered_at', 'timestamptz', (c) => c.notNull())
    .addColumn('rewarded_at', 'timestamptz')
    .addColumn('reward_entry_id', 'text')
    .execute();
  await db.schema.createIndex('referral_referrer_idx').on('referral').column('referrer_account_id').execute();
}

function t(
  code: string,
  name: string,
  rank: number,
  threshold: number,
  multiplier: string,
  bps: number,
  waivers: number,
  priority: boolean,
  manager: boolean,
  gift: boolean,
) {
  return {
    code,
    name,
    rank,
    threshold,
    multiplier,
    rate_discount_bps: bps,
    fee_waivers_per_year: waivers,
    priority_service: priority,
    dedicated_manager: manager,
    birthday_gift: gift,
  };
}

// biome-ignore lint/suspicious/noExplicitAny: see up().
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('referral').execute();
  await db.schema.dropTable('redemption').execute();
  await db.schema.dropTable('reward').execute();
  await db.schema.dropTable('points_expiry_warning').execute();
  await db.schema.dropTable('loyalty_tier').execute();
  await db.schema.dropTable('loyalty_setting').execute();
}
