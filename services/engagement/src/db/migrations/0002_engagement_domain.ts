import { type Kysely, sql } from 'kysely';

/**
 * The engagement domain: consent and loan replicas, task lifecycle, complaints with SLA,
 * surveys, care (greetings, holidays, customer events) and churn early warning.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and written against an untyped database.
export async function up(db: Kysely<any>): Promise<void> {
  // What customers told us about consent, per purpose (latest change wins).
  await db.schema
    .createTable('consent_replica')
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('granted', 'boolean', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('changed_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('consent_replica_pk', ['customer_id', 'purpose'])
    .execute();

  // What credit told us about loans (for churn signals and task assignment).
  await db.schema
    .createTable('loan_replica')
    .addColumn('loan_id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('officer_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('ACTIVE', 'CLOSED', 'WRITTEN_OFF')`))
    .addColumn('bucket', 'text', (c) => c.notNull().defaultTo('CURRENT'))
    .addColumn('days_past_due', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('disbursed_on', 'date')
    .addColumn('closed_on', 'date')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('loan_replica_customer_idx').on('loan_replica').columns(['customer_id']).execute();

  // Settings a branch manager may tune (post-loan visit delay...).
  await db.schema
    .createTable('engagement_setting')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db
    .insertInto('engagement_setting')
    .values([{ key: 'post_loan_visit_days', value: '7' }])
    .execute();

  // Task lifecycle and deduplication.
  await db.schema
    .alterTable('task')
    .addColumn('description', 'text')
    .addColumn('loan_id', 'text')
    .addColumn('dedupe_key', 'text', (c) => c.unique())
    .addColumn('created_by', 'text')
    .addColumn('started_at', 'timestamptz')
    .addColumn('completed_at', 'timestamptz')
    .addColumn('completed_by', 'text')
    .addColumn('cancelled_at', 'timestamptz')
    .addColumn('cancel_reason', 'text')
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .execute();

  // Complaints: SLA per severity, the complaint and its status history.
  await db.schema
    .createTable('complaint_sla')
    .addColumn('severity', 'text', (c) => c.primaryKey())
    .addColumn('acknowledge_hours', 'integer', (c) => c.notNull().check(sql`acknowledge_hours > 0`))
    .addColumn('resolve_days', 'integer', (c) => c.notNull().check(sql`resolve_days > 0`))
    .execute();
  await db
    .insertInto('complaint_sla')
    .values([
      { severity: 'CRITICAL', acknowledge_hours: 2, resolve_days: 2 },
      { severity: 'HIGH', acknowledge_hours: 4, resolve_days: 5 },
      { severity: 'MEDIUM', acknowledge_hours: 24, resolve_days: 10 },
      { severity: 'LOW', acknowledge_hours: 48, resolve_days: 15 },
    ])
    .execute();

  await db.schema
    .createTable('complaint')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('COMPLAINT', 'SUGGESTION', 'PRAISE')`))
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull().check(sql`severity in ('LOW', 'MEDIUM', 'HIGH', 'CRITICAL')`))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .addColumn('received_by', 'text', (c) => c.notNull())
    .addColumn('assignee_id', 'text')
    .addColumn('acknowledge_due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('resolve_due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('acknowledged_at', 'timestamptz')
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('closed_at', 'timestamptz')
    .addColumn('resolution', 'text')
    .addColumn('compensation', 'numeric(18, 2)')
    .addColumn('currency', 'text')
    .addColumn('reopened_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('acknowledge_escalated_at', 'timestamptz')
    .addColumn('resolve_escalated_at', 'timestamptz')
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('complaint_customer_idx').on('complaint').columns(['customer_id', 'id']).execute();
  await db.schema.createIndex('complaint_status_idx').on('complaint').columns(['status', 'id']).execute();

  await db.schema
    .createTable('complaint_history')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('complaint_id', 'text', (c) => c.notNull().references('complaint.id'))
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('changed_by', 'text', (c) => c.notNull())
    .addColumn('changed_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('complaint_history_complaint_idx').on('complaint_history').columns(['complaint_id', 'id']).execute();

  // Surveys: definitions, dispatches (one per customer and occasion), responses (one per dispatch).
  await db.schema
    .createTable('survey')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.check(sql`trigger in ('AFTER_DISBURSEMENT', 'AFTER_COMPLAINT_RESOLUTION')`))
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('questions', 'jsonb', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db
    .insertInto('survey')
    .values([
      {
        id: '00000000-0000-7000-8000-00000000c5a1',
        name: 'Satisfaction after a complaint',
        trigger: 'AFTER_COMPLAINT_RESOLUTION',
        questions: JSON.stringify([
          { code: 'csat', kind: 'CSAT', text: 'How satisfied are you with how we handled your complaint?', choices: [] },
          { code: 'nps', kind: 'NPS', text: 'How likely are you to recommend us to a friend?', choices: [] },
          { code: 'comment', kind: 'TEXT', text: 'What could we have done better?', choices: [] },
        ]),
        created_by: 'system',
        created_at: new Date('2026-11-23T00:00:00Z'),
      },
      {
        id: '00000000-0000-7000-8000-00000000d15b',
        name: 'Satisfaction after disbursement',
        trigger: 'AFTER_DISBURSEMENT',
        questions: JSON.stringify([
          { code: 'nps', kind: 'NPS', text: 'How likely are you to recommend us to a friend?', choices: [] },
          { code: 'csat', kind: 'CSAT', text: 'How satisfied are you with the loan process?', choices: [] },
        ]),
        created_by: 'system',
        created_at: new Date('2026-11-23T00:00:00Z'),
      },
    ])
    .execute();

  await db.schema
    .createTable('survey_dispatch')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('survey_id', 'text', (c) => c.notNull().references('survey.id'))
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text')
    .addColumn('source_key', 'text', (c) => c.notNull().unique())
    .addColumn('branch_id', 'text')
    .addColumn('officer_id', 'text')
    .addColumn('dispatched_by', 'text')
    .addColumn('dispatched_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('survey_dispatch_customer_idx').on('survey_dispatch').columns(['customer_id', 'id']).execute();
  await db.schema.createIndex('survey_dispatch_survey_idx').on('survey_dispatch').columns(['survey_id', 'id']).execute();

  await db.schema
    .createTable('survey_response')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('dispatch_id', 'text', (c) => c.notNull().unique().references('survey_dispatch.id'))
    .addColumn('survey_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('nps_score', 'integer', (c) => c.check(sql`nps_score between 0 and 10`))
    .addColumn('csat_score', 'integer', (c) => c.check(sql`csat_score between 1 and 5`))
    .addColumn('answers', 'jsonb', (c) => c.notNull())
    .addColumn('branch_id', 'text')
    .addColumn('officer_id', 'text')
    .addColumn('responded_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('survey_response_survey_idx').on('survey_response').columns(['survey_id', 'responded_at']).execute();
  await db.schema.createIndex('survey_response_customer_idx').on('survey_response').columns(['customer_id', 'responded_at']).execute();

  // Care: greetings, holidays, customer events.
  await db.schema
    .createTable('care_holiday')
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('on_date', 'date', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('care_holiday_pk', ['on_date', 'code'])
    .execute();

  await db.schema
    .createTable('care_greeting')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('BIRTHDAY', 'HOLIDAY')`))
    .addColumn('occasion_on', 'date', (c) => c.notNull())
    .addColumn('holiday_code', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('assignee_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('PENDING', 'SENT', 'CANCELLED')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('care_greeting_occasion_uq', ['customer_id', 'kind', 'occasion_on', 'holiday_code'])
    .execute();
  await db.schema.createIndex('care_greeting_occasion_idx').on('care_greeting').columns(['occasion_on', 'id']).execute();

  await db.schema
    .createTable('care_event')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('branch_id', 'text')
    .addColumn('location', 'text')
    .addColumn('starts_at', 'timestamptz', (c) => c.notNull())
    .addColumn('capacity', 'integer')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('care_event_invitation')
    .addColumn('event_id', 'text', (c) => c.notNull().references('care_event.id'))
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('INVITED', 'ATTENDED', 'NO_SHOW')`))
    .addColumn('invited_at', 'timestamptz', (c) => c.notNull())
    .addColumn('attended_at', 'timestamptz')
    .addPrimaryKeyConstraint('care_event_invitation_pk', ['event_id', 'customer_id'])
    .execute();

  // Churn early warning: weights and thresholds in tables, the latest score per customer.
  await db.schema
    .createTable('churn_signal_weight')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('weight', 'numeric(6, 2)', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .execute();
  await db
    .insertInto('churn_signal_weight')
    .values([
      { code: 'INTERACTION_DECLINE', weight: '15', description: 'Fewer contacts in the last 90 days than in the 90 before' },
      { code: 'COMPLAINTS', weight: '20', description: 'Complaints in the last 180 days (3 or more count fully)' },
      { code: 'LOW_SURVEY_SCORE', weight: '15', description: 'An NPS of 6 or less or a CSAT of 2 or less in the last 180 days' },
      { code: 'OVERDUE_INSTALMENTS', weight: '25', description: 'Worst delinquency bucket of the active loans' },
      { code: 'LOAN_CLOSED_NO_RENEWAL', weight: '15', description: 'A loan closed 30+ days ago and no active loan since' },
      { code: 'DORMANCY', weight: '10', description: 'No contact in 180 days and no active loan' },
    ])
    .execute();
  await db.schema
    .createTable('churn_level_threshold')
    .addColumn('level', 'text', (c) => c.primaryKey())
    .addColumn('min_score', 'numeric(6, 2)', (c) => c.notNull())
    .execute();
  await db
    .insertInto('churn_level_threshold')
    .values([
      { level: 'LOW', min_score: '0' },
      { level: 'MEDIUM', min_score: '30' },
      { level: 'HIGH', min_score: '60' },
    ])
    .execute();
  await db.schema
    .createTable('churn_risk')
    .addColumn('customer_id', 'text', (c) => c.primaryKey())
    .addColumn('score', 'numeric(6, 2)', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull().check(sql`level in ('LOW', 'MEDIUM', 'HIGH')`))
    .addColumn('signals', 'jsonb', (c) => c.notNull())
    .addColumn('as_of', 'date', (c) => c.notNull())
    .addColumn('computed_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up().
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'churn_risk',
    'churn_level_threshold',
    'churn_signal_weight',
    'care_event_invitation',
    'care_event',
    'care_greeting',
    'care_holiday',
    'survey_response',
    'survey_dispatch',
    'survey',
    'complaint_history',
    'complaint',
    'complaint_sla',
    'engagement_setting',
    'loan_replica',
    'consent_replica',
  ]) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema
    .alterTable('task')
    .dropColumn('description')
    .dropColumn('loan_id')
    .dropColumn('dedupe_key')
    .dropColumn('created_by')
    .dropColumn('started_at')
    .dropColumn('completed_at')
    .dropColumn('completed_by')
    .dropColumn('cancelled_at')
    .dropColumn('cancel_reason')
    .dropColumn('idempotency_key')
    .execute();
}
