import { type Kysely, sql } from 'kysely';

/**
 * The crisis-relief notice (issue 15): a customer whose loan gets relief under a crisis measure
 * (credit's CrisisReliefGranted) is told through the notifications, as a servicing notice of their
 * own contract (no marketing consent needed, like an overdue notice), with templates per channel.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and written against an untyped database.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table notification_kind drop constraint if exists notification_kind_kind_check`.execute(db);
  await sql`alter table notification_kind add constraint notification_kind_kind_check
    check (kind in ('DUE_REMINDER', 'OVERDUE_NOTICE', 'POINTS_EXPIRY', 'CRISIS_RELIEF'))`.execute(db);
  await db.insertInto('notification_kind').values({ kind: 'CRISIS_RELIEF', enabled: true, required_consent: null, channel: null }).execute();
  const body = 'Dear {{customerName}}, under the measure "{{measureName}}" your loan gets {{relief}}. Contact your branch with any question.';
  const t = (channel: string, subject: string | null) => ({
    id: `seed-crisis_relief-${channel}-en`.toLowerCase(),
    kind: 'CRISIS_RELIEF',
    channel,
    language: 'en',
    subject,
    body,
    updated_by: 'system',
    updated_at: new Date('2026-01-01T00:00:00Z'),
  });
  await db
    .insertInto('notification_template')
    .values([t('SMS', null), t('EMAIL', 'Relief on your loan'), t('PUSH', 'Relief on your loan'), t('LETTER', 'Relief on your loan')])
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and written against an untyped database.
export async function down(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('notification_template').where('kind', '=', 'CRISIS_RELIEF').execute();
  await db.deleteFrom('notification_kind').where('kind', '=', 'CRISIS_RELIEF').execute();
  await sql`alter table notification_kind drop constraint if exists notification_kind_kind_check`.execute(db);
  await sql`alter table notification_kind add constraint notification_kind_kind_check check (kind in ('DUE_REMINDER', 'OVERDUE_NOTICE', 'POINTS_EXPIRY'))`.execute(
    db,
  );
}
