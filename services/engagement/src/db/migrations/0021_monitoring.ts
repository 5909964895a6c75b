import { type Kysely, sql } from 'kysely';

/**
 * Visits and reviews by risk (issue 15, item 2): the monitoring cadence per risk class and loan
 * size, the loan facts it needs (principal, risk class, last visit and review), planned tasks
 * marked with their cadence (at most one open planned visit and one open planned review per
 * loan), visit outcomes, and who manages each branch (overdue reviews reach them).
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and written against an untyped database.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('monitoring_cadence')
    .addColumn('risk_class', 'text', (c) => c.notNull().check(sql`risk_class in ('NORMAL', 'SPECIAL_MENTION', 'SUBSTANDARD', 'DOUBTFUL', 'LOSS')`))
    // the band holds loans of at least this principal (up to the next band of the class)
    .addColumn('min_principal', 'numeric', (c) => c.notNull().check(sql`min_principal >= 0`))
    .addColumn('visit_every_days', 'integer', (c) => c.notNull().check(sql`visit_every_days > 0`))
    .addColumn('review_every_days', 'integer', (c) => c.notNull().check(sql`review_every_days > 0`))
    .addPrimaryKeyConstraint('monitoring_cadence_pk', ['risk_class', 'min_principal'])
    .execute();
  // Reviews as credit's review intervals (domain/reviews.ts there): 30 days for SUBSTANDARD and
  // worse, 90 for SPECIAL_MENTION, 180 for large loans, 365 otherwise; visits more often.
  await db
    .insertInto('monitoring_cadence')
    .values([
      { risk_class: 'NORMAL', min_principal: '0', visit_every_days: 180, review_every_days: 365 },
      { risk_class: 'NORMAL', min_principal: '1000000', visit_every_days: 90, review_every_days: 180 },
      { risk_class: 'SPECIAL_MENTION', min_principal: '0', visit_every_days: 60, review_every_days: 90 },
      { risk_class: 'SUBSTANDARD', min_principal: '0', visit_every_days: 30, review_every_days: 30 },
      { risk_class: 'DOUBTFUL', min_principal: '0', visit_every_days: 30, review_every_days: 30 },
      { risk_class: 'LOSS', min_principal: '0', visit_every_days: 30, review_every_days: 30 },
    ])
    .execute();

  // Loan facts from LoanDisbursed, RiskClassChanged, CreditReviewRecorded and engagement's own visits.
  await db.schema
    .alterTable('loan_replica')
    .addColumn('product_code', 'text')
    .addColumn('principal', 'numeric')
    .addColumn('currency', 'text')
    .addColumn('risk_class', 'text', (c) => c.notNull().defaultTo('NORMAL'))
    .addColumn('risk_class_at', 'timestamptz')
    .addColumn('last_visit_on', 'date')
    .addColumn('last_review_on', 'date')
    .execute();

  // A task planned by the monitoring cadence says which (VISIT or REVIEW).
  await db.schema
    .alterTable('task')
    .addColumn('cadence', 'text', (c) => c.check(sql`cadence in ('VISIT', 'REVIEW')`))
    .execute();
  await db.schema
    .createIndex('task_open_cadence_uq')
    .on('task')
    .columns(['loan_id', 'cadence'])
    .unique()
    .where(sql<boolean>`cadence is not null and status in ('OPEN', 'IN_PROGRESS')`)
    .execute();
  await db.schema.createIndex('task_loan_idx').on('task').columns(['loan_id', 'type']).execute();

  await db.schema
    .createTable('visit_outcome')
    .addColumn('task_id', 'text', (c) => c.primaryKey().references('task.id'))
    .addColumn('loan_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('visited_on', 'date', (c) => c.notNull())
    .addColumn('customer_met', 'boolean', (c) => c.notNull())
    .addColumn('business_operating', 'boolean')
    .addColumn('fund_use_as_declared', 'boolean')
    .addColumn('concerns', 'jsonb', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('branch_manager')
    .addColumn('branch_id', 'text', (c) => c.primaryKey())
    .addColumn('manager_id', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db
    .insertInto('engagement_setting')
    .values([{ key: 'monitoring_lead_days', value: '14' }])
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up().
export async function down(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('engagement_setting').where('key', '=', 'monitoring_lead_days').execute();
  await db.schema.dropTable('branch_manager').execute();
  await db.schema.dropTable('visit_outcome').execute();
  await db.schema.dropIndex('task_loan_idx').execute();
  await db.schema.dropIndex('task_open_cadence_uq').execute();
  await db.schema.alterTable('task').dropColumn('cadence').execute();
  await db.schema
    .alterTable('loan_replica')
    .dropColumn('product_code')
    .dropColumn('principal')
    .dropColumn('currency')
    .dropColumn('risk_class')
    .dropColumn('risk_class_at')
    .dropColumn('last_visit_on')
    .dropColumn('last_review_on')
    .execute();
  await db.schema.dropTable('monitoring_cadence').execute();
}
