import { type Kysely, sql } from 'kysely';

/**
 * Grade changes as rows (reporting: the `customerGradeChanges` list and the grade migration KPI):
 * one per CustomerGradeChanged, with the branch and relationship manager the customer had then.
 * Rows are backfilled from the CustomerGradeChanged events still in the outbox (older published
 * ones may have been purged: their changes stay known only to the event consumers).
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations are written against an untyped database.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('customer_grade_change')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customer.id').onDelete('cascade'))
    .addColumn('from_grade', 'text')
    .addColumn('to_grade', 'text', (c) => c.notNull())
    .addColumn('score', 'numeric(6, 2)', (c) => c.notNull())
    .addColumn('effective_on', 'date', (c) => c.notNull())
    .addColumn('branch_id', 'text', (c) => c.notNull())
    .addColumn('relationship_manager_id', 'text')
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('customer_grade_change_once', ['customer_id', 'effective_on'])
    .execute();
  await db.schema.createIndex('customer_grade_change_effective_idx').on('customer_grade_change').columns(['effective_on', 'id']).execute();
  await sql`
    insert into customer_grade_change (id, customer_id, from_grade, to_grade, score, effective_on, branch_id, relationship_manager_id, recorded_at)
    select o.id, c.id, o.event->'data'->>'previousGrade', o.event->'data'->>'grade', (o.event->'data'->>'score')::numeric,
           (o.event->'data'->>'effectiveOn')::date, c.branch_id, c.relationship_manager_id, o.created_at
      from event_outbox o join customer c on c.id = o.key
     where o.type = 'crm.customers.CustomerGradeChanged.v1'
    on conflict do nothing`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against an untyped database.
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('customer_grade_change').execute();
}
