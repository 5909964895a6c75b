import { type Kysely, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and written against an untyped database.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('customer')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('INDIVIDUAL', 'ENTERPRISE')`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('PROSPECT', 'ACTIVE', 'DORMANT', 'CHURNED')`))
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('branch_id', 'text', (c) => c.notNull())
    .addColumn('relationship_manager_id', 'text')
    .addColumn('phone', 'text')
    .addColumn('email', 'text')
    .addColumn('region', 'text')
    .addColumn('city', 'text')
    .addColumn('district', 'text')
    .addColumn('address_line', 'text')
    .addColumn('preferred_channel', 'text')
    .addColumn('preferred_language', 'text')
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('customer_branch_idx').on('customer').columns(['branch_id', 'id']).execute();
  await db.schema.createIndex('customer_manager_idx').on('customer').columns(['relationship_manager_id', 'id']).execute();
  await db.schema.createIndex('customer_status_idx').on('customer').columns(['status', 'id']).execute();

  await db.schema
    .createTable('individual_profile')
    .addColumn('customer_id', 'text', (c) => c.primaryKey().references('customer.id').onDelete('cascade'))
    .addColumn('first_name', 'text', (c) => c.notNull())
    .addColumn('last_name', 'text', (c) => c.notNull())
    .addColumn('gender', 'text')
    .addColumn('birth_date', 'date')
    .addColumn('national_id', 'text')
    .addColumn('occupation', 'text')
    .addColumn('employer', 'text')
    .execute();

  await db.schema
    .createTable('enterprise_profile')
    .addColumn('customer_id', 'text', (c) => c.primaryKey().references('customer.id').onDelete('cascade'))
    .addColumn('legal_name', 'text', (c) => c.notNull())
    .addColumn('registration_number', 'text', (c) => c.notNull())
    .addColumn('industry', 'text')
    .addColumn('size', 'text')
    .addColumn('founded_on', 'date')
    .addColumn('legal_representative', 'text')
    .addColumn('annual_revenue', 'numeric(20, 2)')
    .addColumn('employees', 'integer')
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up().
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('enterprise_profile').execute();
  await db.schema.dropTable('individual_profile').execute();
  await db.schema.dropTable('customer').execute();
}
