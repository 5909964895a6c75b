import type { Kysely } from 'kysely';

/**
 * The customers' status lifecycle as engagement saw it (CustomerRegistered, CustomerStatusChanged):
 * one row per change, for the churn and retention KPIs. Customers registered before this
 * migration have no row until their next status change.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and written against an untyped database.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('customer_status_replica')
    .addColumn('event_id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('changed_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('customer_status_replica_customer_idx').on('customer_status_replica').columns(['customer_id', 'changed_at']).execute();
  // the KPIs and lists filter by date ranges on these
  await db.schema.createIndex('complaint_received_idx').on('complaint').columns(['received_at', 'id']).execute();
  await db.schema.createIndex('task_due_idx').on('task').columns(['due_at', 'id']).execute();
  await db.schema.createIndex('survey_response_responded_idx').on('survey_response').columns(['responded_at', 'id']).execute();
  await db.schema.createIndex('complaint_history_changed_idx').on('complaint_history').columns(['complaint_id', 'changed_at', 'id']).execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up().
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('complaint_history_changed_idx').execute();
  await db.schema.dropIndex('survey_response_responded_idx').execute();
  await db.schema.dropIndex('task_due_idx').execute();
  await db.schema.dropIndex('complaint_received_idx').execute();
  await db.schema.dropTable('customer_status_replica').execute();
}
