import { type Kysely, sql } from 'kysely';

/**
 * Next-best offers and outcomes (issue 15):
 * - `offer_rule`: offer rules as data (conditions over grade, customer kind, loyalty tier, churn
 *   level, repayment record and products held), seeded with four rules documented in the README;
 * - `offer`: the offers made to customers, ranked, with the reasons they hold, and their outcome
 *   (one OPEN offer per customer and rule);
 * - `offer_customer_fact`: what offers need that no other replica keeps: the customer's kind
 *   (CustomerRegistered) and loyalty tier (TierChanged);
 * - `loan_replica.repaid_on_time`: LoanClosed's repaid-on-time-in-full (the repayment record);
 * - `task.outcome`: the recorded outcome of a retention task.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and written against an untyped database.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('loan_replica').addColumn('repaid_on_time', 'boolean').execute();
  await db.schema
    .alterTable('task')
    .addColumn('outcome', 'text', (c) => c.check(sql`outcome in ('SAVED', 'LOST', 'NOT_REACHED')`))
    .addColumn('outcome_recorded_by', 'text')
    .addColumn('outcome_recorded_at', 'timestamptz')
    .execute();
  await db.schema
    .createTable('offer_customer_fact')
    .addColumn('customer_id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text')
    .addColumn('tier', 'text')
    .addColumn('tier_at', 'timestamptz')
    .execute();
  await db.schema
    .createTable('offer_rule')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('TOP_UP', 'RENEWAL', 'RATE_DISCOUNT', 'REWARD')`))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull().check(sql`priority between 1 and 100`))
    .addColumn('conditions', 'jsonb', (c) => c.notNull())
    .addColumn('valid_days', 'integer', (c) => c.notNull().check(sql`valid_days between 1 and 365`))
    .addColumn('cooldown_days', 'integer', (c) => c.notNull().check(sql`cooldown_days between 0 and 730`))
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  const rule = (code: string, kind: string, title: string, priority: number, conditions: Record<string, unknown>, validDays: number, cooldownDays: number) => ({
    code,
    kind,
    title,
    priority,
    conditions: JSON.stringify(conditions),
    valid_days: validDays,
    cooldown_days: cooldownDays,
    updated_by: 'system',
  });
  await db
    .insertInto('offer_rule')
    .values([
      rule(
        'TOP_UP_GOOD_PAYER',
        'TOP_UP',
        'Top-up for a borrower paying on time',
        80,
        { minActiveLoans: 1, maxDaysPastDue: 0, grades: ['VIP', 'PREMIUM', 'STANDARD'] },
        30,
        60,
      ),
      rule('RENEWAL_AFTER_ON_TIME', 'RENEWAL', 'Renewal after a loan repaid on time', 70, { maxActiveLoans: 0, minLoansRepaidOnTime: 1 }, 45, 90),
      rule(
        'LOYALTY_RATE_DISCOUNT',
        'RATE_DISCOUNT',
        "The loyalty tier's rate discount on a new loan",
        60,
        { tiers: ['SILVER', 'GOLD', 'PLATINUM'], maxDaysPastDue: 0 },
        30,
        60,
      ),
      rule('RETENTION_REWARD', 'REWARD', 'A reward to keep a customer drifting away', 50, { churnLevels: ['MEDIUM', 'HIGH'], maxDaysPastDue: 30 }, 30, 90),
    ])
    .execute();
  await db.schema
    .createTable('offer')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('rule_code', 'text', (c) => c.notNull().references('offer_rule.code'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('rank', 'integer', (c) => c.notNull().check(sql`rank > 0`))
    .addColumn('reasons', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('OPEN', 'ACCEPTED', 'DECLINED', 'NOT_NOW', 'WITHDRAWN')`))
    .addColumn('made_on', 'date', (c) => c.notNull())
    .addColumn('valid_until', 'date', (c) => c.notNull())
    .addColumn('made_at', 'timestamptz', (c) => c.notNull())
    .addColumn('assignee_id', 'text')
    .addColumn('closed_on', 'date')
    .addColumn('outcome_recorded_by', 'text')
    .addColumn('outcome_recorded_at', 'timestamptz')
    .addColumn('withdrawn_reason', 'text', (c) => c.check(sql`withdrawn_reason in ('EXPIRED', 'NO_LONGER_ELIGIBLE')`))
    .execute();
  // one open offer per customer and rule: a rerun of the generation makes it once
  await sql`create unique index offer_open_once on offer (customer_id, rule_code) where status = 'OPEN'`.execute(db);
  await db.schema.createIndex('offer_customer_idx').on('offer').columns(['customer_id', 'id']).execute();
  await db.schema.createIndex('offer_assignee_idx').on('offer').columns(['assignee_id', 'status']).execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and written against an untyped database.
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('offer').execute();
  await db.schema.dropTable('offer_rule').execute();
  await db.schema.dropTable('offer_customer_fact').execute();
  for (const column of ['outcome_recorded_at', 'outcome_recorded_by', 'outcome']) await db.schema.alterTable('task').dropColumn(column).execute();
  await db.schema.alterTable('loan_replica').dropColumn('repaid_on_time').execute();
}
