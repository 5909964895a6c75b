import { type Kysely, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and written against an untyped database.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('customer_replica')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('branch_id', 'text', (c) => c.notNull())
    .addColumn('relationship_manager_id', 'text')
    .addColumn('birth_date', 'date')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('interaction')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('direction', 'text', (c) => c.notNull().check(sql`direction in ('INBOUND', 'OUTBOUND')`))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text')
    .addColumn('staff_id', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .execute();
  await db.schema.createIndex('interaction_customer_idx').on('interaction').columns(['customer_id', 'occurred_at', 'id']).execute();
  await db.schema.createIndex('interaction_staff_idx').on('interaction').columns(['staff_id', 'occurred_at']).execute();

  await db.schema
    .createTable('task')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('assignee_id', 'text')
    .addColumn('priority', 'text', (c) => c.notNull().check(sql`priority in ('LOW', 'NORMAL', 'HIGH', 'URGENT')`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('OPEN', 'IN_PROGRESS', 'DONE', 'CANCELLED')`))
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('source_event_id', 'text')
    .addColumn('completed_interaction_id', 'text', (c) => c.references('interaction.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('task_source_event_type_uq', ['source_event_id', 'type'])
    .execute();
  await db.schema.createIndex('task_customer_idx').on('task').columns(['customer_id', 'id']).execute();
  await db.schema
    .createIndex('task_assignee_open_idx')
    .on('task')
    .columns(['assignee_id', 'due_at'])
    .where(sql.ref('status'), 'in', sql`('OPEN', 'IN_PROGRESS')`)
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up().
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('task').execute();
  await db.schema.dropTable('interaction').execute();
  await db.schema.dropTable('customer_replica').execute();
}
