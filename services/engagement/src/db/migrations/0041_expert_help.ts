import { changeTrackingMigration } from '@crm/service-kit';
import { type Kysely, sql } from 'kysely';

/**
 * Expert help for officers (issue 15): the expert directory, the due time per field, and the
 * consultations (in the `changedSince` feed).
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and written against an untyped database.
export async function up(db: Kysely<any>): Promise<void> {
  const fields = sql`('INDUSTRY', 'LEGAL', 'COLLATERAL_VALUATION', 'RESTRUCTURING')`;
  await db.schema
    .createTable('expert')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('fields', 'jsonb', (c) => c.notNull())
    .addColumn('branch_id', 'text')
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('expert_name_idx').on('expert').columns(['name', 'id']).execute();

  await db.schema
    .createTable('consultation_due_time')
    .addColumn('field', 'text', (c) => c.primaryKey().check(sql`field in ${fields}`))
    .addColumn('due_hours', 'integer', (c) => c.notNull().check(sql`due_hours between 1 and 8760`))
    .execute();
  // DEFAULT_CONSULTATION_DUE_HOURS of domain/experts.ts at the time of this migration
  await db
    .insertInto('consultation_due_time')
    .values([
      { field: 'INDUSTRY', due_hours: 48 },
      { field: 'LEGAL', due_hours: 72 },
      { field: 'COLLATERAL_VALUATION', due_hours: 120 },
      { field: 'RESTRUCTURING', due_hours: 48 },
    ])
    .execute();

  await db.schema
    .createTable('consultation')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('loan_id', 'text')
    .addColumn('expert_id', 'text', (c) => c.notNull().references('expert.id'))
    .addColumn('expert_user_id', 'text', (c) => c.notNull())
    .addColumn('requester_id', 'text', (c) => c.notNull())
    .addColumn('field', 'text', (c) => c.notNull().check(sql`field in ${fields}`))
    .addColumn('question', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('OPEN', 'ANSWERED', 'CANCELLED')`))
    .addColumn('requested_at', 'timestamptz', (c) => c.notNull())
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('answer', 'text')
    .addColumn('answered_at', 'timestamptz')
    .addColumn('cancelled_at', 'timestamptz')
    .addColumn('cancelled_by', 'text')
    .addColumn('cancel_reason', 'text')
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('consultation_customer_idx').on('consultation').columns(['customer_id', 'id']).execute();
  await db.schema.createIndex('consultation_expert_idx').on('consultation').columns(['expert_user_id', 'status']).execute();
  await db.schema.createIndex('consultation_open_due_idx').on('consultation').columns(['status', 'due_at']).execute();

  await changeTrackingMigration([{ table: 'consultation', key: 'id' }]).up(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see up().
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('consultation').execute();
  await db.schema.dropTable('consultation_due_time').execute();
  await db.schema.dropTable('expert').execute();
}
