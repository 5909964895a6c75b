import { type Kysely, sql } from 'kysely';

/**
 * Service levels by grade and care need, the customer's grade, needs and contact preferences as
 * engagement learns them, and the contact rules (issue 15):
 * - `service_level`: one row per grade and care need, the institution's default (branch '') and a
 *   branch's own rows, seeded with the defaults documented in the README;
 * - `customer_service_profile`: grade (CustomerGradeChanged), care needs (SpecialCareChanged) and
 *   the preferences notifications and offers use (CustomerProfileUpdated `preferences.*`);
 * - `contact_limit` and `contact_hours`: the contact rules, seeded with the conduct defaults;
 * - `task.planning`: how the service level and the contact rules shaped a planned task;
 * - `interaction.contact_override`: a contact a branch manager allowed against a rule, and why.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and written against an untyped database.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('service_level')
    .addColumn('branch_id', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('GRADE', 'CARE')`))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('task_priority_floor', 'text', (c) => c.notNull().check(sql`task_priority_floor in ('LOW', 'NORMAL', 'HIGH', 'URGENT')`))
    .addColumn('task_due_percent', 'integer', (c) => c.notNull().check(sql`task_due_percent between 10 and 100`))
    .addColumn('complaint_sla_percent', 'integer', (c) => c.notNull().check(sql`complaint_sla_percent between 10 and 100`))
    .addColumn('worklist_points', 'integer', (c) => c.notNull().check(sql`worklist_points between 0 and 25`))
    .addColumn('callback_every_days', 'integer', (c) => c.check(sql`callback_every_days between 1 and 365`))
    .addColumn('home_visit', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('service_level_pk', ['branch_id', 'kind', 'code'])
    .execute();
  const level = (kind: string, code: string, floor: string, due: number, sla: number, points: number, callback: number | null, home: boolean) => ({
    branch_id: '',
    kind,
    code,
    task_priority_floor: floor,
    task_due_percent: due,
    complaint_sla_percent: sla,
    worklist_points: points,
    callback_every_days: callback,
    home_visit: home,
    updated_by: 'system',
  });
  await db
    .insertInto('service_level')
    .values([
      level('GRADE', 'VIP', 'HIGH', 50, 50, 25, null, false),
      level('GRADE', 'PREMIUM', 'NORMAL', 75, 75, 15, null, false),
      level('GRADE', 'STANDARD', 'LOW', 100, 100, 5, null, false),
      level('GRADE', 'BASIC', 'LOW', 100, 100, 0, null, false),
      level('CARE', 'ELDERLY', 'HIGH', 50, 50, 20, 30, true),
      level('CARE', 'DISABLED', 'HIGH', 50, 50, 20, 30, true),
      level('CARE', 'VISUALLY_IMPAIRED', 'NORMAL', 75, 75, 15, 60, false),
      level('CARE', 'HEARING_IMPAIRED', 'NORMAL', 75, 75, 15, null, false),
      level('CARE', 'LOW_LITERACY', 'NORMAL', 100, 75, 10, 60, false),
      level('CARE', 'LANGUAGE_BARRIER', 'NORMAL', 100, 75, 10, null, false),
      level('CARE', 'FINANCIAL_HARDSHIP', 'NORMAL', 100, 75, 15, 14, false),
    ])
    .execute();

  await db.schema
    .createTable('customer_service_profile')
    .addColumn('customer_id', 'text', (c) => c.primaryKey())
    .addColumn('grade', 'text')
    .addColumn('grade_at', 'timestamptz')
    .addColumn('care_needs', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('care_at', 'timestamptz')
    .addColumn('contact_time', 'text')
    .addColumn('interests', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('education_level', 'text')
    .addColumn('preferences_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('contact_limit')
    // '*': every channel / every purpose
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('max_contacts', 'integer', (c) => c.notNull().check(sql`max_contacts between 1 and 100`))
    .addColumn('period_days', 'integer', (c) => c.notNull().check(sql`period_days between 1 and 365`))
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('contact_limit_pk', ['channel', 'purpose'])
    .execute();
  await db
    .insertInto('contact_limit')
    .values([
      { channel: '*', purpose: 'COLLECTION_REMINDER', max_contacts: 7, period_days: 7, updated_by: 'system' },
      { channel: 'PHONE', purpose: 'COLLECTION_REMINDER', max_contacts: 2, period_days: 1, updated_by: 'system' },
      { channel: '*', purpose: 'MARKETING', max_contacts: 4, period_days: 30, updated_by: 'system' },
    ])
    .execute();
  await db.schema
    .createTable('contact_hours')
    .addColumn('purpose', 'text', (c) => c.primaryKey())
    .addColumn('days', sql`integer[]`, (c) => c.notNull())
    .addColumn('from_time', 'text', (c) => c.notNull())
    .addColumn('to_time', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`insert into contact_hours (purpose, days, from_time, to_time, time_zone, updated_by)
    values ('COLLECTION_REMINDER', '{1,2,3,4,5,6}', '08:00', '20:00', 'UTC', 'system')`.execute(db);
  // the outbound contacts of a customer by time: what the limits count
  await db.schema
    .createIndex('interaction_customer_outbound_idx')
    .on('interaction')
    .columns(['customer_id', 'occurred_at'])
    .where(sql.ref('direction'), '=', sql.lit('OUTBOUND'))
    .execute();

  await db.schema.alterTable('task').addColumn('planning', 'jsonb').execute();
  await db.schema.alterTable('interaction').addColumn('contact_override', 'jsonb').execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up().
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('interaction').dropColumn('contact_override').execute();
  await db.schema.alterTable('task').dropColumn('planning').execute();
  await db.schema.dropIndex('interaction_customer_outbound_idx').execute();
  await db.schema.dropTable('contact_hours').execute();
  await db.schema.dropTable('contact_limit').execute();
  await db.schema.dropTable('customer_service_profile').execute();
  await db.schema.dropTable('service_level').execute();
}
