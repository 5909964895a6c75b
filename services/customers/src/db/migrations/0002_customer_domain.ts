import { type Kysely, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and written against an untyped database.
export async function up(db: Kysely<any>): Promise<void> {
  // Profile review, tags, special care, the current financial view and the grade, on the customer row
  // (kept current by the stores) so that filters and segments stay single-table predicates.
  await db.schema
    .alterTable('customer')
    .addColumn('reviewed_at', 'timestamptz')
    .addColumn('tags', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('special_care', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('special_care_note', 'text')
    .addColumn('income_band', 'text')
    .addColumn('risk_appetite', 'text')
    .addColumn('grade', 'text', (c) => c.check(sql`grade in ('VIP', 'PREMIUM', 'STANDARD', 'BASIC')`))
    .addColumn('grade_since', 'date')
    .addColumn('grade_at_risk_since', 'date')
    .addColumn('grade_at_risk_until', 'date')
    .addColumn('grade_projected', 'text')
    .execute();
  await sql`update customer set reviewed_at = created_at`.execute(db);
  await db.schema.createIndex('customer_reviewed_idx').on('customer').columns(['reviewed_at', 'id']).execute();
  await db.schema.createIndex('customer_grade_idx').on('customer').columns(['grade', 'id']).execute();

  await db.schema
    .createTable('customer_change')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customer.id').onDelete('cascade'))
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('old_value', 'text')
    .addColumn('new_value', 'text')
    .addColumn('changed_by', 'text', (c) => c.notNull())
    .addColumn('changed_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('customer_change_customer_idx').on('customer_change').columns(['customer_id', 'changed_at', 'id']).execute();

  await db.schema
    .createTable('manager_assignment')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customer.id').onDelete('cascade'))
    .addColumn('manager_id', 'text', (c) => c.notNull())
    .addColumn('previous_manager_id', 'text')
    .addColumn('reason', 'text')
    .addColumn('assigned_by', 'text', (c) => c.notNull())
    .addColumn('assigned_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('manager_assignment_customer_idx').on('manager_assignment').columns(['customer_id', 'assigned_at']).execute();

  await db.schema
    .createTable('financial_snapshot')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customer.id').onDelete('cascade'))
    .addColumn('as_of', 'date', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('monthly_income', 'numeric(20, 2)')
    .addColumn('assets', 'numeric(20, 2)')
    .addColumn('liabilities', 'numeric(20, 2)')
    .addColumn('external_credit_score', 'integer')
    .addColumn('risk_appetite', 'text')
    .addColumn('income_band', 'text')
    .addColumn('debt_ratio', 'numeric(12, 4)')
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('financial_snapshot_customer_idx').on('financial_snapshot').columns(['customer_id', 'as_of', 'id']).execute();

  await db.schema
    .createTable('consent_record')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customer.id').onDelete('cascade'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('granted', 'boolean', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('changed_by', 'text', (c) => c.notNull())
    .addColumn('changed_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('consent_record_customer_idx').on('consent_record').columns(['customer_id', 'purpose', 'changed_at', 'id']).execute();

  await db.schema
    .createTable('customer_document')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customer.id').onDelete('cascade'))
    .addColumn('category', 'text', (c) => c.notNull().check(sql`category in ('BASIC', 'DEVELOPMENT', 'PRODUCT_SERVICE')`))
    .addColumn('document_type', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('storage_ref', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text')
    .addColumn('size_bytes', 'bigint')
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .addColumn('added_by', 'text', (c) => c.notNull())
    .addColumn('added_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('customer_document_customer_idx').on('customer_document').columns(['customer_id', 'id']).execute();

  await db.schema
    .createTable('segment')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text')
    .addColumn('rule', 'jsonb', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();

  // Value score inputs: what other services told us, one row per source event (idempotent).
  await db.schema
    .createTable('customer_loan')
    .addColumn('loan_id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('principal', 'numeric(20, 2)', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('loan_cycle', 'integer', (c) => c.notNull())
    .addColumn('disbursed_on', 'date', (c) => c.notNull())
    .addColumn('closed_on', 'date')
    .addColumn('bucket', 'text', (c) => c.notNull().defaultTo('CURRENT'))
    .addColumn('days_past_due', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('bucket_as_of', 'date')
    .execute();
  await db.schema.createIndex('customer_loan_customer_idx').on('customer_loan').columns(['customer_id']).execute();

  await db.schema
    .createTable('value_signal')
    .addColumn('event_id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('loan_id', 'text')
    .addColumn('amount', 'numeric(20, 2)')
    .addColumn('on_time', 'boolean')
    .addColumn('score', 'integer')
    .addColumn('label', 'text')
    .addColumn('occurred_on', 'date', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('value_signal_customer_idx').on('value_signal').columns(['customer_id', 'kind', 'occurred_on']).execute();

  await db.schema
    .createTable('customer_value_score')
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('as_of', 'date', (c) => c.notNull())
    .addColumn('total', 'numeric(7, 2)', (c) => c.notNull())
    .addColumn('components', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('customer_value_score_pk', ['customer_id', 'as_of'])
    .execute();

  // Configuration as data: grade thresholds and the service's periods (one row).
  await db.schema
    .createTable('grade_threshold')
    .addColumn('grade', 'text', (c) => c.primaryKey())
    .addColumn('min_score', 'numeric(7, 2)', (c) => c.notNull())
    .execute();
  await db
    .insertInto('grade_threshold')
    .values([
      { grade: 'VIP', min_score: '80' },
      { grade: 'PREMIUM', min_score: '60' },
      { grade: 'STANDARD', min_score: '40' },
      { grade: 'BASIC', min_score: '0' },
    ])
    .execute();
  await db.schema
    .createTable('customer_policy')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('stale_after_days', 'integer', (c) => c.notNull())
    .addColumn('at_risk_window_days', 'integer', (c) => c.notNull())
    .execute();
  await db.insertInto('customer_policy').values({ id: 1, stale_after_days: 365, at_risk_window_days: 30 }).execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up().
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'customer_policy',
    'grade_threshold',
    'customer_value_score',
    'value_signal',
    'customer_loan',
    'segment',
    'customer_document',
    'consent_record',
    'financial_snapshot',
    'manager_assignment',
    'customer_change',
  ])
    await db.schema.dropTable(t).execute();
  await db.schema.dropIndex('customer_grade_idx').execute();
  await db.schema.dropIndex('customer_reviewed_idx').execute();
  let alter = db.schema.alterTable('customer').dropColumn('reviewed_at');
  for (const c of [
    'tags',
    'special_care',
    'special_care_note',
    'income_band',
    'risk_appetite',
    'grade',
    'grade_since',
    'grade_at_risk_since',
    'grade_at_risk_until',
    'grade_projected',
  ])
    alter = alter.dropColumn(c);
  await alter.execute();
}
