import { type Kysely, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and written against an untyped database.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('loyalty_account')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull().unique())
    .addColumn('tier', 'text', (c) => c.notNull())
    .addColumn('referral_code', 'text', (c) => c.notNull().unique())
    .addColumn('opened_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('points_entry')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('loyalty_account.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('EARN', 'REDEEM', 'EXPIRE', 'ADJUST', 'REVERSE')`))
    .addColumn('points', 'integer', (c) => c.notNull().check(sql`points <> 0`))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz')
    .addUniqueConstraint('points_entry_source_uq', ['account_id', 'kind', 'source_id'])
    .execute();
  await db.schema.createIndex('points_entry_account_idx').on('points_entry').columns(['account_id', 'id']).execute();

  await db.schema
    .createTable('earning_rule')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('points', 'integer', (c) => c.notNull().check(sql`points >= 0`))
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .execute();
  await db
    .insertInto('earning_rule')
    .values([{ code: 'WELCOME', description: 'Welcome points when the account is opened', points: 100, active: true }])
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up().
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('earning_rule').execute();
  await db.schema.dropTable('points_entry').execute();
  await db.schema.dropTable('loyalty_account').execute();
}
