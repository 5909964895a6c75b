import { type Kysely, sql } from 'kysely';

/**
 * Crisis measures (issue 15): a payment holiday or a penalty waiver declared for a scope of
 * customers (branches, regions, industries, customer kinds, explicit customers), approved by a
 * second person, then applied to every active loan in scope as one operation. `crisis_measure_loan`
 * is the measure's effect, loan by loan (applied or skipped, and why); a payment holiday's loans
 * point to their restructuring and schedule versions; a penalty waiver's window is copied onto
 * each of its loans for the end-of-day run. `crisis_penalty_waiver` holds the penalty each
 * measure spared each instalment, as of the latest run that found it overdue. The customer
 * replica learns the customer's region (CustomerRegistered, CustomerProfileUpdated).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('customer_replica').addColumn('region', 'text').execute();
  await db.schema
    .createTable('crisis_measure')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('PAYMENT_HOLIDAY', 'PENALTY_WAIVER')`))
    .addColumn('scope', 'jsonb', (c) => c.notNull())
    .addColumn('instalments', 'integer', (c) => c.check(sql`instalments between 1 and 24`))
    .addColumn('effective_on', 'date')
    .addColumn('waiver_from', 'date')
    .addColumn('waiver_to', 'date')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('DECLARED', 'APPROVED', 'REJECTED')`))
    // the declarer's branch when they are bound to one (a branch manager's measure covers their branch only)
    .addColumn('branch_id', 'text')
    .addColumn('declared_by', 'text', (c) => c.notNull())
    .addColumn('declared_at', 'timestamptz', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'timestamptz')
    .addColumn('loans_affected', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('loans_skipped', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .addCheckConstraint(
      'crisis_measure_terms',
      sql`(kind = 'PAYMENT_HOLIDAY' and instalments is not null and effective_on is not null)
        or (kind = 'PENALTY_WAIVER' and waiver_from is not null and waiver_to is not null and waiver_from <= waiver_to)`,
    )
    .execute();
  await db.schema
    .createTable('crisis_measure_loan')
    .addColumn('measure_id', 'text', (c) => c.notNull().references('crisis_measure.id'))
    // no foreign key to loan: loans are never deleted, and the tests' set-wise fixtures truncate loans
    .addColumn('loan_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('APPLIED', 'SKIPPED')`))
    .addColumn('skip_reason', 'text')
    .addColumn('outstanding_principal', 'numeric', (c) => c.notNull().check(sql`scale(outstanding_principal) <= 4`))
    .addColumn('amount_deferred', 'numeric', (c) => c.notNull().defaultTo(0).check(sql`scale(amount_deferred) <= 4`))
    .addColumn('restructuring_id', 'text')
    .addColumn('from_version', 'integer')
    .addColumn('to_version', 'integer')
    .addColumn('waiver_from', 'date')
    .addColumn('waiver_to', 'date')
    .addPrimaryKeyConstraint('crisis_measure_loan_pk', ['measure_id', 'loan_id'])
    .execute();
  await db.schema.createIndex('crisis_measure_loan_loan_idx').on('crisis_measure_loan').column('loan_id').execute();
  await db.schema
    .createTable('crisis_penalty_waiver')
    .addColumn('measure_id', 'text', (c) => c.notNull())
    .addColumn('loan_id', 'text', (c) => c.notNull())
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('penalty_waived', 'numeric', (c) => c.notNull().check(sql`penalty_waived >= 0 and scale(penalty_waived) <= 4`))
    .addColumn('as_of', 'date', (c) => c.notNull())
    .addPrimaryKeyConstraint('crisis_penalty_waiver_pk', ['measure_id', 'loan_id', 'number'])
    .execute();
  await db.schema.alterTable('restructuring').addColumn('crisis_measure_id', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('restructuring').dropColumn('crisis_measure_id').execute();
  await db.schema.dropTable('crisis_penalty_waiver').execute();
  await db.schema.dropTable('crisis_measure_loan').execute();
  await db.schema.dropTable('crisis_measure').execute();
  await db.schema.alterTable('customer_replica').dropColumn('region').execute();
}
