import { type Kysely, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and written against an untyped database.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('loan_product')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull().check(sql`type in ('MICRO_BUSINESS', 'CONSUMER', 'AGRICULTURAL', 'GROUP')`))
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('min_principal', 'numeric(20, 2)', (c) => c.notNull())
    .addColumn('max_principal', 'numeric(20, 2)', (c) => c.notNull())
    .addColumn('min_rate', 'numeric(9, 6)', (c) => c.notNull())
    .addColumn('max_rate', 'numeric(9, 6)', (c) => c.notNull())
    .addColumn('min_term', 'integer', (c) => c.notNull())
    .addColumn('max_term', 'integer', (c) => c.notNull())
    .addColumn('frequency', 'text', (c) => c.notNull().check(sql`frequency in ('WEEKLY', 'BIWEEKLY', 'MONTHLY')`))
    .addColumn('amortisation', 'text', (c) => c.notNull().check(sql`amortisation in ('EQUAL_INSTALMENT', 'EQUAL_PRINCIPAL', 'INTEREST_ONLY')`))
    .addColumn('day_count', 'text', (c) => c.notNull().check(sql`day_count in ('THIRTY_360', 'ACTUAL_365')`))
    .addColumn('penalty_rate', 'numeric(9, 6)', (c) => c.notNull())
    .addColumn('grace_days', 'integer', (c) => c.notNull())
    .addColumn('overpayment_policy', 'text', (c) => c.notNull().check(sql`overpayment_policy in ('REDUCE_LAST_INSTALMENTS', 'REFUSE')`))
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .alterTable('loan')
    .addColumn('product_id', 'text')
    .addColumn('term_count', 'integer')
    .addColumn('purpose', 'text')
    .addColumn('branch_id', 'text')
    .addColumn('approved_by', 'text')
    .addColumn('approved_at', 'timestamptz')
    .addColumn('disbursed_on', 'date')
    .addColumn('closed_on', 'date')
    .addColumn('written_off_on', 'date')
    .addColumn('write_off_reason', 'text')
    .addColumn('schedule_version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('loan_cycle', 'integer')
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .addColumn('dpd', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('bucket', 'text', (c) => c.notNull().defaultTo('CURRENT'))
    .addColumn('computed_risk_class', 'text', (c) => c.notNull().defaultTo('NORMAL'))
    .addColumn('risk_class_override', 'text')
    .addColumn('risk_class_override_reason', 'text')
    .addColumn('risk_class', 'text', (c) => c.notNull().defaultTo('NORMAL'))
    .addColumn('delinquency_as_of', 'date')
    .execute();
  await db.schema.createIndex('loan_status_idx').on('loan').columns(['status', 'id']).execute();
  await db.schema.createIndex('loan_officer_idx').on('loan').columns(['officer_id', 'id']).execute();

  await db.schema
    .createTable('instalment')
    .addColumn('loan_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('due_date', 'date', (c) => c.notNull())
    .addColumn('principal', 'numeric(20, 2)', (c) => c.notNull().check(sql`principal >= 0`))
    .addColumn('interest', 'numeric(20, 2)', (c) => c.notNull().check(sql`interest >= 0`))
    .addColumn('principal_paid', 'numeric(20, 2)', (c) => c.notNull().defaultTo(0))
    .addColumn('interest_paid', 'numeric(20, 2)', (c) => c.notNull().defaultTo(0))
    .addColumn('penalty', 'numeric(20, 2)', (c) => c.notNull().defaultTo(0))
    .addColumn('penalty_paid', 'numeric(20, 2)', (c) => c.notNull().defaultTo(0))
    .addColumn('paid_on', 'date')
    .addColumn('dpd', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('instalment_pk', ['loan_id', 'version', 'number'])
    .execute();
  await db.schema.createIndex('instalment_due_idx').on('instalment').columns(['due_date', 'loan_id']).execute();

  await db.schema
    .createTable('repayment')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('loan_id', 'text', (c) => c.notNull())
    .addColumn('amount', 'numeric(20, 2)', (c) => c.notNull().check(sql`amount > 0`))
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('paid_on', 'date', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('external_reference', 'text', (c) => c.notNull().unique())
    .addColumn('penalty_paid', 'numeric(20, 2)', (c) => c.notNull())
    .addColumn('interest_paid', 'numeric(20, 2)', (c) => c.notNull())
    .addColumn('principal_paid', 'numeric(20, 2)', (c) => c.notNull())
    .addColumn('prepaid_principal', 'numeric(20, 2)', (c) => c.notNull())
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('repayment_loan_idx').on('repayment').columns(['loan_id', 'paid_on']).execute();
  await db.schema
    .createTable('repayment_allocation')
    .addColumn('repayment_id', 'text', (c) => c.notNull())
    .addColumn('loan_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('paid_on', 'date', (c) => c.notNull())
    .addColumn('penalty', 'numeric(20, 2)', (c) => c.notNull())
    .addColumn('interest', 'numeric(20, 2)', (c) => c.notNull())
    .addColumn('principal', 'numeric(20, 2)', (c) => c.notNull())
    .addPrimaryKeyConstraint('repayment_allocation_pk', ['repayment_id', 'version', 'number'])
    .execute();
  await db.schema.createIndex('repayment_allocation_instalment_idx').on('repayment_allocation').columns(['loan_id', 'version', 'number', 'paid_on']).execute();

  await db.schema
    .createTable('loan_delinquency')
    .addColumn('loan_id', 'text', (c) => c.notNull())
    .addColumn('as_of', 'date', (c) => c.notNull())
    .addColumn('dpd', 'integer', (c) => c.notNull())
    .addColumn('bucket', 'text', (c) => c.notNull())
    .addColumn('risk_class', 'text', (c) => c.notNull())
    .addColumn('outstanding_principal', 'numeric(20, 2)', (c) => c.notNull())
    .addColumn('overdue_amount', 'numeric(20, 2)', (c) => c.notNull())
    .addColumn('penalty', 'numeric(20, 2)', (c) => c.notNull())
    .addPrimaryKeyConstraint('loan_delinquency_pk', ['loan_id', 'as_of'])
    .execute();
  await db.schema.createIndex('loan_delinquency_as_of_idx').on('loan_delinquency').columns(['as_of']).execute();
  await db.schema
    .createTable('instalment_notice')
    .addColumn('loan_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('DUE', 'OVERDUE')`))
    .addColumn('as_of', 'date', (c) => c.notNull())
    .addPrimaryKeyConstraint('instalment_notice_pk', ['loan_id', 'version', 'number', 'kind'])
    .execute();

  await db.schema
    .createTable('risk_class_threshold')
    .addColumn('risk_class', 'text', (c) => c.primaryKey())
    .addColumn('min_dpd', 'integer', (c) => c.notNull().unique())
    .execute();
  await db
    .insertInto('risk_class_threshold')
    .values([
      { risk_class: 'NORMAL', min_dpd: 0 },
      { risk_class: 'SPECIAL_MENTION', min_dpd: 31 },
      { risk_class: 'SUBSTANDARD', min_dpd: 91 },
      { risk_class: 'DOUBTFUL', min_dpd: 181 },
      { risk_class: 'LOSS', min_dpd: 361 },
    ])
    .execute();
  await db.schema
    .createTable('risk_class_change')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('loan_id', 'text', (c) => c.notNull())
    .addColumn('as_of', 'date', (c) => c.notNull())
    .addColumn('previous_class', 'text', (c) => c.notNull())
    .addColumn('risk_class', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('override', 'boolean', (c) => c.notNull())
    .addColumn('changed_by', 'text')
    .addColumn('changed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('risk_class_change_loan_idx').on('risk_class_change').columns(['loan_id', 'changed_at']).execute();

  await db.schema
    .createTable('customer_replica')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('branch_id', 'text', (c) => c.notNull())
    .addColumn('relationship_manager_id', 'text')
    .addColumn('industry', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('industry_watch')
    .addColumn('industry', 'text', (c) => c.primaryKey())
    .addColumn('added_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('warning_rule')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sql`kind in ('DPD_OVER', 'CONSECUTIVE_MISSED', 'SCORE_DROP', 'INCOME_DROP', 'LTV_OVER', 'FUND_USE_DEVIATION', 'WATCHLIST_INDUSTRY')`),
    )
    .addColumn('threshold', 'numeric(20, 6)')
    .addColumn('severity', 'text', (c) => c.notNull().check(sql`severity in ('LOW', 'MEDIUM', 'HIGH', 'CRITICAL')`))
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('description', 'text', (c) => c.notNull())
    .execute();
  await db
    .insertInto('warning_rule')
    .values([
      { code: 'DPD_OVER_7', kind: 'DPD_OVER', threshold: '7', severity: 'MEDIUM', description: 'Days past due over 7' },
      { code: 'DPD_OVER_30', kind: 'DPD_OVER', threshold: '30', severity: 'HIGH', description: 'Days past due over 30' },
      {
        code: 'MISSED_2_IN_A_ROW',
        kind: 'CONSECUTIVE_MISSED',
        threshold: '2',
        severity: 'HIGH',
        description: 'Two or more consecutive instalments unpaid after their due date',
      },
      { code: 'SCORE_DROP_50', kind: 'SCORE_DROP', threshold: '50', severity: 'MEDIUM', description: 'External credit score fell by 50 points or more' },
      { code: 'INCOME_DROP_30', kind: 'INCOME_DROP', threshold: '0.30', severity: 'HIGH', description: 'Monthly income fell by 30 % or more' },
      { code: 'LTV_OVER_80', kind: 'LTV_OVER', threshold: '0.80', severity: 'MEDIUM', description: 'Outstanding principal over 80 % of the collateral value' },
      {
        code: 'FUND_USE_DEVIATION',
        kind: 'FUND_USE_DEVIATION',
        threshold: null,
        severity: 'HIGH',
        description: 'A review found funds used other than declared',
      },
      { code: 'WATCHLIST_INDUSTRY', kind: 'WATCHLIST_INDUSTRY', threshold: null, severity: 'LOW', description: "The borrower's industry is on the watch list" },
    ])
    .execute();
  await db.schema
    .createTable('warning_response_deadline')
    .addColumn('severity', 'text', (c) => c.primaryKey())
    .addColumn('response_hours', 'integer', (c) => c.notNull().check(sql`response_hours > 0`))
    .execute();
  await db
    .insertInto('warning_response_deadline')
    .values([
      { severity: 'LOW', response_hours: 168 },
      { severity: 'MEDIUM', response_hours: 72 },
      { severity: 'HIGH', response_hours: 24 },
      { severity: 'CRITICAL', response_hours: 4 },
    ])
    .execute();
  await db.schema
    .createTable('risk_warning')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('loan_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('rule_code', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('indicators', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('OPEN', 'ACKNOWLEDGED', 'ACTION_TAKEN', 'RESOLVED', 'ESCALATED')`))
    .addColumn('officer_id', 'text')
    .addColumn('raised_at', 'timestamptz', (c) => c.notNull())
    .addColumn('response_due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('acknowledged_at', 'timestamptz')
    .addColumn('action_taken_at', 'timestamptz')
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('escalated_at', 'timestamptz')
    .addColumn('note', 'text')
    .execute();
  await db.schema
    .createIndex('risk_warning_one_open_idx')
    .on('risk_warning')
    .columns(['loan_id', 'rule_code'])
    .unique()
    .where(sql.ref('status'), '<>', 'RESOLVED')
    .execute();
  await db.schema.createIndex('risk_warning_customer_idx').on('risk_warning').columns(['customer_id', 'id']).execute();
  await db.schema.createIndex('risk_warning_due_idx').on('risk_warning').columns(['status', 'response_due_at']).execute();
  await db.schema
    .createTable('risk_warning_transition')
    .addColumn('warning_id', 'text', (c) => c.notNull())
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text', (c) => c.notNull())
    .addColumn('changed_by', 'text')
    .addColumn('note', 'text')
    .addColumn('changed_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('risk_warning_transition_idx').on('risk_warning_transition').columns(['warning_id', 'changed_at']).execute();

  await db.schema
    .createTable('collateral')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('loan_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('collateral_loan_idx').on('collateral').columns(['loan_id']).execute();
  await db.schema
    .createTable('collateral_valuation')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('collateral_id', 'text', (c) => c.notNull())
    .addColumn('value', 'numeric(20, 2)', (c) => c.notNull().check(sql`value > 0`))
    .addColumn('valued_on', 'date', (c) => c.notNull())
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('collateral_valuation_idx').on('collateral_valuation').columns(['collateral_id', 'valued_on']).execute();
  await db.schema
    .createTable('guarantor')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('loan_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('guarantor_customer_id', 'text')
    .addColumn('relationship', 'text')
    .addColumn('guaranteed_amount', 'numeric(20, 2)', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('guarantor_loan_idx').on('guarantor').columns(['loan_id']).execute();

  await db.schema
    .createTable('credit_review')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('loan_id', 'text', (c) => c.notNull())
    .addColumn('reviewed_on', 'date', (c) => c.notNull())
    .addColumn('rating', 'text', (c) => c.notNull())
    .addColumn('findings', 'text', (c) => c.notNull())
    .addColumn('fund_use_as_declared', 'boolean', (c) => c.notNull())
    .addColumn('reviewer_id', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('credit_review_loan_idx').on('credit_review').columns(['loan_id', 'reviewed_on']).execute();

  await db.schema
    .createTable('restructuring')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('loan_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('PAYMENT_HOLIDAY', 'TERM_EXTENSION', 'RATE_REDUCTION')`))
    .addColumn('instalments', 'integer')
    .addColumn('new_rate', 'numeric(9, 6)')
    .addColumn('effective_on', 'date', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('REQUESTED', 'APPROVED', 'REJECTED')`))
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'timestamptz', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'timestamptz')
    .addColumn('from_version', 'integer')
    .addColumn('to_version', 'integer')
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .execute();
  await db.schema.createIndex('restructuring_loan_idx').on('restructuring').columns(['loan_id', 'id']).execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up().
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'restructuring',
    'credit_review',
    'guarantor',
    'collateral_valuation',
    'collateral',
    'risk_warning_transition',
    'risk_warning',
    'warning_response_deadline',
    'warning_rule',
    'industry_watch',
    'customer_replica',
    'risk_class_change',
    'risk_class_threshold',
    'instalment_notice',
    'loan_delinquency',
    'repayment_allocation',
    'repayment',
    'instalment',
    'loan_product',
  ]) {
    await db.schema.dropTable(t).execute();
  }
}
