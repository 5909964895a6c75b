import { type Kysely, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and written against an untyped database.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('loan')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('product_code', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('APPLIED', 'APPROVED', 'ACTIVE', 'CLOSED', 'WRITTEN_OFF')`))
    .addColumn('principal', 'numeric(20, 2)', (c) => c.notNull().check(sql`principal > 0`))
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('annual_rate', 'numeric(9, 6)', (c) => c.notNull())
    .addColumn('term_months', 'integer', (c) => c.notNull())
    .addColumn('officer_id', 'text')
    .addColumn('applied_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('loan_customer_idx').on('loan').columns(['customer_id', 'id']).execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up().
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('loan').execute();
}
