import { type Kysely, sql } from 'kysely';

/**
 * Customer notifications (issue 15, item 3): instalment due reminders, overdue notices and
 * points-expiry notices, queued from other services' events and sent by the
 * `notification-dispatch` job through a channel adapter. Templates per kind, channel and
 * language and the policy per kind are data; the contact details come from customers' events.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and written against an untyped database.
export async function up(db: Kysely<any>): Promise<void> {
  // What customers told us of the customer's contact details (CustomerRegistered.contact, CustomerProfileUpdated).
  await db.schema
    .createTable('customer_contact_replica')
    .addColumn('customer_id', 'text', (c) => c.primaryKey())
    .addColumn('phone', 'text')
    .addColumn('email', 'text')
    .addColumn('region', 'text')
    .addColumn('city', 'text')
    .addColumn('district', 'text')
    .addColumn('address_line', 'text')
    .addColumn('preferred_channel', 'text')
    .addColumn('preferred_language', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();

  // The policy of each kind: on or off, the consent it needs, a channel that overrides the customer's preference.
  await db.schema
    .createTable('notification_kind')
    .addColumn('kind', 'text', (c) => c.primaryKey().check(sql`kind in ('DUE_REMINDER', 'OVERDUE_NOTICE', 'POINTS_EXPIRY')`))
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('required_consent', 'text')
    .addColumn('channel', 'text', (c) => c.check(sql`channel in ('SMS', 'EMAIL', 'PUSH', 'LETTER')`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db
    .insertInto('notification_kind')
    .values([
      // a courtesy reminder is unsolicited automated contact: it needs the customer's contact consent
      { kind: 'DUE_REMINDER', enabled: true, required_consent: 'MARKETING_CONTACT', channel: null },
      // a notice of default is a contractual notice: it goes out whatever the marketing consent
      { kind: 'OVERDUE_NOTICE', enabled: true, required_consent: null, channel: null },
      { kind: 'POINTS_EXPIRY', enabled: true, required_consent: 'MARKETING_CONTACT', channel: null },
    ])
    .execute();

  await db.schema
    .createTable('notification_template')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('SMS', 'EMAIL', 'PUSH', 'LETTER')`))
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('subject', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('notification_template_uq', ['kind', 'channel', 'language'])
    .execute();
  const t = (kind: string, channel: string, subject: string | null, body: string) => ({
    id: `seed-${kind}-${channel}-en`.toLowerCase(),
    kind,
    channel,
    language: 'en',
    subject,
    body,
    updated_by: 'system',
    updated_at: new Date('2026-01-01T00:00:00Z'),
  });
  const due = 'Dear {{customerName}}, instalment {{instalmentNumber}} of your loan, {{amountDue}} {{currency}}, is due on {{dueDate}}.';
  const overdue =
    'Dear {{customerName}}, instalment {{instalmentNumber}} of your loan, due on {{dueDate}}, is {{daysPastDue}} days overdue: {{amountOverdue}} {{currency}} is unpaid. Please pay it or contact your branch.';
  const points = 'Dear {{customerName}}, {{points}} of your loyalty points expire on {{expiresOn}}. Use them before then.';
  await db
    .insertInto('notification_template')
    .values([
      t('DUE_REMINDER', 'SMS', null, due),
      t('DUE_REMINDER', 'EMAIL', 'Your instalment is due on {{dueDate}}', due),
      t('DUE_REMINDER', 'PUSH', 'Instalment due on {{dueDate}}', due),
      t('DUE_REMINDER', 'LETTER', 'Instalment due on {{dueDate}}', due),
      t('OVERDUE_NOTICE', 'SMS', null, overdue),
      t('OVERDUE_NOTICE', 'EMAIL', 'Your instalment is overdue', overdue),
      t('OVERDUE_NOTICE', 'PUSH', 'Instalment overdue', overdue),
      t('OVERDUE_NOTICE', 'LETTER', 'Notice of overdue instalment', overdue),
      t('POINTS_EXPIRY', 'SMS', null, points),
      t('POINTS_EXPIRY', 'EMAIL', 'Your points expire on {{expiresOn}}', points),
      t('POINTS_EXPIRY', 'PUSH', 'Points expiring', points),
      t('POINTS_EXPIRY', 'LETTER', 'Your loyalty points expire on {{expiresOn}}', points),
    ])
    .execute();

  // The language of a branch's customers when they stated none (else the institution's default).
  await db.schema
    .createTable('branch_language')
    .addColumn('branch_id', 'text', (c) => c.primaryKey())
    .addColumn('language', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('notification')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('SMS', 'EMAIL', 'PUSH', 'LETTER')`))
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('QUEUED', 'SENT', 'FAILED', 'SUPPRESSED')`))
    // why it was suppressed or failed; null while queued or once sent
    .addColumn('reason', 'text')
    // why a queued notification waits (QUIET_HOURS, RETRY), and until when
    .addColumn('deferred_reason', 'text')
    .addColumn('send_after', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('provider_ref', 'text')
    .addColumn('template_id', 'text')
    .addColumn('subject', 'text')
    .addColumn('body', 'text')
    .addColumn('params', 'jsonb', (c) => c.notNull())
    .addColumn('loan_id', 'text')
    .addColumn('source_event_id', 'text')
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('sent_at', 'timestamptz')
    .addUniqueConstraint('notification_source_event_kind_uq', ['source_event_id', 'kind'])
    .execute();
  await db.schema.createIndex('notification_customer_idx').on('notification').columns(['customer_id', 'id']).execute();
  // the dispatch job's selection: queued notifications whose time has come
  await db.schema.createIndex('notification_queued_idx').on('notification').columns(['send_after', 'id']).where(sql.ref('status'), '=', 'QUEUED').execute();

  await db
    .insertInto('engagement_setting')
    .values([
      { key: 'notification_default_language', value: 'en' },
      { key: 'notification_time_zone', value: 'UTC' },
      { key: 'notification_quiet_start', value: '21:00' },
      { key: 'notification_quiet_end', value: '08:00' },
      { key: 'notification_max_attempts', value: '5' },
      { key: 'notification_retry_minutes', value: '15' },
    ])
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up().
export async function down(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('engagement_setting').where('key', 'like', 'notification_%').execute();
  await db.schema.dropTable('notification').execute();
  await db.schema.dropTable('branch_language').execute();
  await db.schema.dropTable('notification_template').execute();
  await db.schema.dropTable('notification_kind').execute();
  await db.schema.dropTable('customer_contact_replica').execute();
}
