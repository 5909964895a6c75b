import type { Listed, PageWindow, Parented, Scope, SortKey } from '@crm/service-kit';
import { countsOf, decodeCursor, pageQuery, windowPages } from '@crm/service-kit';
import { type Expression, type ExpressionBuilder, type Insertable, type Kysely, type SqlBool, sql } from 'kysely';
import type { NotificationKindPolicy } from '../domain/notifications.ts';
import type { InteractionChannel, InteractionPurpose, NotificationChannel, NotificationKind, NotificationReason, NotificationStatus } from '../domain/types.ts';
import { customerInBranch } from './filters.ts';
import type { BranchLanguageRow, DB, NotificationKindRow, NotificationRow, NotificationTable, NotificationTemplateRow } from './schema.ts';
import { assertCustomerInScope, customerInScope } from './scope.ts';

/**
 * Notifications (issue 15): the policy per kind, templates, the notification rows and the
 * dispatch job's set-wise reads and writes. Scoped reads take the caller's scope (the customer's
 * branch in `customer_replica`); the dispatch works across branches.
 */

// ---- policy, settings, templates ----

export async function findKindPolicies(db: Kysely<DB>): Promise<NotificationKindRow[]> {
  return db.selectFrom('notification_kind').selectAll().orderBy('kind').execute();
}

export async function saveKindPolicies(db: Kysely<DB>, policies: readonly NotificationKindPolicy[], at: Date): Promise<void> {
  for (const p of policies) {
    await db
      .insertInto('notification_kind')
      .values({ kind: p.kind, enabled: p.enabled, required_consent: p.requiredConsent, channel: p.channel, updated_at: at })
      .onConflict((oc) => oc.column('kind').doUpdateSet({ enabled: p.enabled, required_consent: p.requiredConsent, channel: p.channel, updated_at: at }))
      .execute();
  }
}

/** Text settings by key (engagement_setting), the fallback where unset. */
export async function findTextSettings<K extends string>(db: Kysely<DB>, fallbacks: Record<K, string>): Promise<Record<K, string>> {
  const keys = Object.keys(fallbacks) as K[];
  const rows = await db.selectFrom('engagement_setting').select(['key', 'value']).where('key', 'in', keys).execute();
  const out = { ...fallbacks };
  for (const r of rows) if (r.key in out) out[r.key as K] = r.value;
  return out;
}

/** The notification settings as the API shows them (NotificationSettings; its `branchLanguages` is a connection of its own). */
export interface NotificationSettingsView {
  defaultLanguage: string;
  timeZone: string;
  quietHoursStart: string;
  quietHoursEnd: string;
  maxAttempts: number;
  retryMinutes: number;
  kinds: NotificationKindPolicy[];
}

export async function findNotificationSettings(db: Kysely<DB>, defaults: Record<SettingKey, string>): Promise<NotificationSettingsView> {
  const [s, kinds] = await Promise.all([findTextSettings(db, defaults), findKindPolicies(db)]);
  return {
    defaultLanguage: s.notification_default_language,
    timeZone: s.notification_time_zone,
    quietHoursStart: s.notification_quiet_start,
    quietHoursEnd: s.notification_quiet_end,
    maxAttempts: Number(s.notification_max_attempts),
    retryMinutes: Number(s.notification_retry_minutes),
    kinds: kinds.map((k) => ({ kind: k.kind, enabled: k.enabled, requiredConsent: k.required_consent, channel: k.channel })),
  };
}

/** The keys of the notification settings in engagement_setting. */
export type SettingKey =
  | 'notification_default_language'
  | 'notification_time_zone'
  | 'notification_quiet_start'
  | 'notification_quiet_end'
  | 'notification_max_attempts'
  | 'notification_retry_minutes';

const BRANCH_LANGUAGE_ORDER: readonly SortKey[] = [{ ref: 'branch_language.branch_id', type: 'text' }];

/** `NotificationSettings.branchLanguages`: a page by branch id after the cursor (`limit` is the page size plus one). */
export async function findBranchLanguages(db: Kysely<DB>, window: PageWindow): Promise<Listed<BranchLanguageRow>[]> {
  const base = db.selectFrom('branch_language').selectAll('branch_language');
  return pageQuery(base, 'branch_language', BRANCH_LANGUAGE_ORDER, 'asc', { ...window, since: undefined }).execute();
}

export async function countBranchLanguages(db: Kysely<DB>): Promise<number> {
  const row = await db
    .selectFrom('branch_language')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The languages of these branches (null where a branch has none): the before and after of a change, for its audit record. */
export async function findLanguagesOfBranches(db: Kysely<DB>, branchIds: readonly string[]): Promise<Record<string, string | null>> {
  const out: Record<string, string | null> = Object.fromEntries(branchIds.map((id) => [id, null]));
  if (!branchIds.length) return out;
  const rows = await db
    .selectFrom('branch_language')
    .selectAll()
    .where('branch_id', 'in', [...branchIds])
    .execute();
  for (const r of rows) out[r.branch_id] = r.language;
  return out;
}

/** Sets (language) or removes (null) the language of branches. */
export async function saveBranchLanguages(db: Kysely<DB>, languages: readonly { branchId: string; language: string | null }[]): Promise<void> {
  for (const b of languages) {
    if (b.language === null) await db.deleteFrom('branch_language').where('branch_id', '=', b.branchId).execute();
    else
      await db
        .insertInto('branch_language')
        .values({ branch_id: b.branchId, language: b.language })
        .onConflict((oc) => oc.column('branch_id').doUpdateSet({ language: b.language ?? '' }))
        .execute();
  }
}

/** The template of a kind and channel in the first of `languages` that has one. */
export async function findTemplateFor(
  db: Kysely<DB>,
  kind: NotificationKind,
  channel: NotificationChannel,
  languages: readonly string[],
): Promise<NotificationTemplateRow | undefined> {
  const rows = await db
    .selectFrom('notification_template')
    .selectAll()
    .where('kind', '=', kind)
    .where('channel', '=', channel)
    .where('language', 'in', [...languages])
    .execute();
  for (const language of languages) {
    const found = rows.find((r) => r.language === language);
    if (found) return found;
  }
  return undefined;
}

export async function upsertTemplate(
  db: Kysely<DB>,
  t: { id: string; kind: NotificationKind; channel: NotificationChannel; language: string; subject: string | null; body: string; by: string; at: Date },
): Promise<{ before: NotificationTemplateRow | undefined; after: NotificationTemplateRow }> {
  const before = await db
    .selectFrom('notification_template')
    .selectAll()
    .where('kind', '=', t.kind)
    .where('channel', '=', t.channel)
    .where('language', '=', t.language)
    .forUpdate()
    .executeTakeFirst();
  const after = await db
    .insertInto('notification_template')
    .values({ id: t.id, kind: t.kind, channel: t.channel, language: t.language, subject: t.subject, body: t.body, updated_by: t.by, updated_at: t.at })
    .onConflict((oc) => oc.columns(['kind', 'channel', 'language']).doUpdateSet({ subject: t.subject, body: t.body, updated_by: t.by, updated_at: t.at }))
    .returningAll()
    .executeTakeFirstOrThrow();
  return { before, after };
}

/** Templates by kind, channel, language (keyset on the three). */
export async function findTemplates(
  db: Kysely<DB>,
  filter: { kind?: NotificationKind | null; channel?: NotificationChannel | null; language?: string | null },
  window: PageWindow,
): Promise<NotificationTemplateRow[]> {
  const after = window.after ? decodeCursor(window.after, 3).map(String) : null;
  return templateList(db, filter)
    .$if(after !== null, (q) => q.where(sql<SqlBool>`(kind, channel, language) > (${after?.[0] ?? ''}, ${after?.[1] ?? ''}, ${after?.[2] ?? ''})`))
    .orderBy('kind')
    .orderBy('channel')
    .orderBy('language')
    .limit(window.limit)
    .execute();
}

export async function countTemplates(
  db: Kysely<DB>,
  filter: { kind?: NotificationKind | null; channel?: NotificationChannel | null; language?: string | null },
) {
  const row = await db
    .selectFrom(templateList(db, filter).as('t'))
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

const templateList = (db: Kysely<DB>, filter: { kind?: NotificationKind | null; channel?: NotificationChannel | null; language?: string | null }) =>
  db
    .selectFrom('notification_template')
    .selectAll()
    .$if(!!filter.kind, (q) => q.where('kind', '=', filter.kind ?? 'DUE_REMINDER'))
    .$if(!!filter.channel, (q) => q.where('channel', '=', filter.channel ?? 'SMS'))
    .$if(!!filter.language, (q) => q.where('language', '=', filter.language ?? ''));

// ---- queueing ----

/** What queueing needs of a customer: name, branch, branch language and preferences (nulls when unknown here). */
export interface Recipient {
  displayName: string | null;
  branchId: string | null;
  branchLanguage: string | null;
  preferredChannel: string | null;
  preferredLanguage: string | null;
}

export async function findRecipient(db: Kysely<DB>, customerId: string): Promise<Recipient> {
  const [customer, contact] = await Promise.all([
    db
      .selectFrom('customer_replica as c')
      .leftJoin('branch_language as b', 'b.branch_id', 'c.branch_id')
      .select(['c.display_name', 'c.branch_id', 'b.language'])
      .where('c.id', '=', customerId)
      .executeTakeFirst(),
    db.selectFrom('customer_contact_replica').select(['preferred_channel', 'preferred_language']).where('customer_id', '=', customerId).executeTakeFirst(),
  ]);
  return {
    displayName: customer?.display_name ?? null,
    branchId: customer?.branch_id ?? null,
    branchLanguage: customer?.language ?? null,
    preferredChannel: contact?.preferred_channel ?? null,
    preferredLanguage: contact?.preferred_language ?? null,
  };
}

/** Inserts a notification unless the same event (and kind) or the same business fact (dedupe key) already made one. */
export async function insertNotificationOnce(
  db: Kysely<DB>,
  row: Omit<Insertable<NotificationTable>, 'params'> & { params: Record<string, string> },
): Promise<NotificationRow | undefined> {
  return db
    .insertInto('notification')
    .values({ ...row, params: JSON.stringify(row.params) })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
}

// ---- dispatch ----

/** A queued notification whose time has come, with what the dispatch decides on: the kind's consent, the customer's answer, the contact details. */
export interface DueNotification extends NotificationRow {
  required_consent: string | null;
  consented: boolean;
  kind_enabled: boolean;
  phone: string | null;
  email: string | null;
  region: string | null;
  city: string | null;
  district: string | null;
  address_line: string | null;
}

/**
 * One page of queued notifications due at `now` (send_after passed), oldest first, with the
 * consent their kind needs (none recorded: not granted) and the customer's contact details, in
 * one statement.
 */
export async function findDueNotifications(db: Kysely<DB>, now: Date, limit: number): Promise<DueNotification[]> {
  const rows = await db
    .selectFrom('notification as n')
    .leftJoin('notification_kind as k', 'k.kind', 'n.kind')
    .leftJoin('consent_replica as cr', (j) => j.onRef('cr.customer_id', '=', 'n.customer_id').onRef('cr.purpose', '=', 'k.required_consent'))
    .leftJoin('customer_contact_replica as c', 'c.customer_id', 'n.customer_id')
    .selectAll('n')
    .select((eb) => [
      'k.required_consent',
      eb.fn.coalesce('cr.granted', sql<boolean>`false`).as('consented'),
      eb.fn.coalesce('k.enabled', sql<boolean>`true`).as('kind_enabled'),
      'c.phone',
      'c.email',
      'c.region',
      'c.city',
      'c.district',
      'c.address_line',
    ])
    .where('n.status', '=', 'QUEUED')
    .where('n.send_after', '<=', now)
    .orderBy('n.send_after')
    .orderBy('n.id')
    .limit(limit)
    .execute();
  return rows;
}

/** How many queued notifications are due at `now` (the run's progress total). */
export async function countDueNotifications(db: Kysely<DB>, now: Date): Promise<number> {
  const row = await db
    .selectFrom('notification')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('status', '=', 'QUEUED')
    .where('send_after', '<=', now)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Defers every due queued notification until `until` (quiet hours), set-wise; returns how many. */
export async function deferDueNotifications(db: Kysely<DB>, now: Date, until: Date, reason: 'QUIET_HOURS'): Promise<number> {
  const rows = await db
    .updateTable('notification')
    .set({ send_after: until, deferred_reason: reason, updated_at: now })
    .where('status', '=', 'QUEUED')
    .where('send_after', '<=', now)
    .returning('id')
    .execute();
  return rows.length;
}

/** Defers some queued notifications, each until its own instant (contact hours, retries). */
export async function deferNotifications(
  db: Kysely<DB>,
  rows: readonly { id: string; until: Date }[],
  reason: 'CONTACT_HOURS' | 'RETRY',
  now: Date,
): Promise<number> {
  if (!rows.length) return 0;
  const values = sql.join(rows.map((r) => sql`(${r.id}::text, ${r.until.toISOString()}::timestamptz)`));
  const { rows: updated } = await sql<{ id: string }>`
    update notification n set send_after = v.until, deferred_reason = ${reason}, updated_at = ${now}::timestamptz
    from (values ${values}) as v(id, until)
    where n.id = v.id and n.status = 'QUEUED'
    returning n.id`.execute(db);
  return updated.length;
}

/** Suppresses queued notifications for a reason, set-wise; returns those changed (a notification no longer queued is left). */
export async function suppressNotifications(db: Kysely<DB>, ids: readonly string[], reason: NotificationReason, now: Date): Promise<NotificationRow[]> {
  if (!ids.length) return [];
  return db
    .updateTable('notification')
    .set({ status: 'SUPPRESSED', reason, deferred_reason: null, updated_at: now })
    .where('id', 'in', [...ids])
    .where('status', '=', 'QUEUED')
    .returningAll()
    .execute();
}

/** Records accepted notifications with their provider references (one statement); returns those changed. */
export async function markSent(db: Kysely<DB>, sent: readonly { id: string; providerRef: string }[], now: Date): Promise<NotificationRow[]> {
  if (!sent.length) return [];
  const values = sql.join(sent.map((s) => sql`(${s.id}::text, ${s.providerRef}::text)`));
  const { rows } = await sql<{ id: string }>`
    update notification n set status = 'SENT', reason = null, deferred_reason = null, attempts = n.attempts + 1, provider_ref = v.ref,
      last_error = null, sent_at = ${now}::timestamptz, updated_at = ${now}::timestamptz
    from (values ${values}) as v(id, ref)
    where n.id = v.id and n.status = 'QUEUED'
    returning n.id`.execute(db);
  return findNotificationsByIds(
    db,
    rows.map((r) => r.id),
  );
}

/**
 * Records failed attempts (one statement): retried ones wait until `retryAt` (deferred RETRY),
 * final ones are FAILED with PROVIDER_ERROR. Returns the rows changed.
 */
export async function markFailures(
  db: Kysely<DB>,
  failures: readonly { id: string; error: string; retryAt: Date | null }[],
  now: Date,
): Promise<NotificationRow[]> {
  if (!failures.length) return [];
  const values = sql.join(failures.map((f) => sql`(${f.id}::text, ${f.error}::text, ${f.retryAt?.toISOString() ?? null}::timestamptz)`));
  const { rows } = await sql<{ id: string }>`
    update notification n set
      attempts = n.attempts + 1, last_error = v.error, updated_at = ${now}::timestamptz,
      status = case when v.retry_at is null then 'FAILED' else 'QUEUED' end,
      reason = case when v.retry_at is null then 'PROVIDER_ERROR' else null end,
      deferred_reason = case when v.retry_at is null then null else 'RETRY' end,
      send_after = coalesce(v.retry_at, n.send_after)
    from (values ${values}) as v(id, error, retry_at)
    where n.id = v.id and n.status = 'QUEUED'
    returning n.id`.execute(db);
  return findNotificationsByIds(
    db,
    rows.map((r) => r.id),
  );
}

async function findNotificationsByIds(db: Kysely<DB>, ids: readonly string[]): Promise<NotificationRow[]> {
  if (!ids.length) return [];
  return db
    .selectFrom('notification')
    .selectAll()
    .where('id', 'in', [...ids])
    .orderBy('id')
    .execute();
}

/** The contact a sent notification was, as outbound interactions (so contact limits count it), one statement. */
export async function recordNotificationContacts(
  db: Kysely<DB>,
  contacts: readonly { id: string; customerId: string; channel: InteractionChannel; purpose: InteractionPurpose; summary: string; at: Date }[],
  staffId: string,
): Promise<void> {
  if (!contacts.length) return;
  await db
    .insertInto('interaction')
    .values(
      contacts.map((c) => ({
        id: c.id,
        customer_id: c.customerId,
        channel: c.channel,
        direction: 'OUTBOUND' as const,
        purpose: c.purpose,
        summary: c.summary,
        outcome: null,
        staff_id: staffId,
        occurred_at: c.at,
        idempotency_key: null,
      })),
    )
    .execute();
}

// ---- reads for the API ----

export interface NotificationQuery {
  customerId?: string | null;
  branchId?: string | null;
  loanId?: string | null;
  kind?: readonly NotificationKind[] | null;
  channel?: readonly NotificationChannel[] | null;
  status?: readonly NotificationStatus[] | null;
  reason?: readonly NotificationReason[] | null;
  createdFrom?: Date | null;
  createdTo?: Date | null;
}

function matches(scope: Scope, filter: NotificationQuery) {
  return (eb: ExpressionBuilder<DB, 'notification'>) => {
    const conditions: Expression<SqlBool>[] = [customerInScope(scope, 'notification.customer_id')];
    if (filter.customerId) conditions.push(eb('notification.customer_id', '=', filter.customerId));
    if (filter.branchId) conditions.push(customerInBranch('notification.customer_id', filter.branchId));
    if (filter.loanId) conditions.push(eb('notification.loan_id', '=', filter.loanId));
    if (filter.kind?.length) conditions.push(eb('notification.kind', 'in', [...filter.kind]));
    if (filter.channel?.length) conditions.push(eb('notification.channel', 'in', [...filter.channel]));
    if (filter.status?.length) conditions.push(eb('notification.status', 'in', [...filter.status]));
    if (filter.reason?.length) conditions.push(eb('notification.reason', 'in', [...filter.reason]));
    if (filter.createdFrom) conditions.push(eb('notification.created_at', '>=', filter.createdFrom));
    if (filter.createdTo) conditions.push(eb('notification.created_at', '<', filter.createdTo));
    return eb.and(conditions);
  };
}

/** Notifications matching a filter, newest first (keyset on the UUIDv7 id). */
export async function findNotifications(db: Kysely<DB>, scope: Scope, filter: NotificationQuery, window: PageWindow): Promise<NotificationRow[]> {
  const afterId = window.after ? String(decodeCursor(window.after, 1)[0]) : null;
  return db
    .selectFrom('notification')
    .selectAll()
    .where(matches(scope, filter))
    .$if(afterId !== null, (q) => q.where('notification.id', '<', afterId ?? ''))
    .orderBy('notification.id', 'desc')
    .limit(window.limit)
    .execute();
}

export async function countNotifications(db: Kysely<DB>, scope: Scope, filter: NotificationQuery): Promise<number> {
  const row = await db
    .selectFrom('notification')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where(matches(scope, filter))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** One notification by id: undefined when unknown, FORBIDDEN when its customer is outside the scope. */
export async function findNotificationInScope(db: Kysely<DB>, scope: Scope, id: string): Promise<NotificationRow | undefined> {
  const row = await db.selectFrom('notification').selectAll().where('id', '=', id).executeTakeFirst();
  if (row) await assertCustomerInScope(db, scope, row.customer_id, 'notification');
  return row;
}

const notificationsOfCustomers = (db: Kysely<DB>, scope: Scope, customerIds: readonly string[], status: readonly NotificationStatus[] | null) =>
  db
    .selectFrom('notification')
    .selectAll()
    .select('customer_id as _parent')
    .where('customer_id', 'in', [...customerIds])
    .where(customerInScope(scope, 'notification.customer_id'))
    .$if(!!status?.length, (q) => q.where('status', 'in', [...(status ?? [])]));

const NOTIFICATION_ORDER: readonly SortKey[] = [{ ref: 'id', type: 'text' }];

/** `Customer.notifications`: one page per customer, newest first, in one statement. */
export async function findNotificationsOfCustomers(
  db: Kysely<DB>,
  scope: Scope,
  customerIds: readonly string[],
  status: readonly NotificationStatus[] | null,
  window: PageWindow,
): Promise<Parented<NotificationRow>[]> {
  if (!customerIds.length) return [];
  return windowPages<NotificationRow>(db, notificationsOfCustomers(db, scope, customerIds, status), NOTIFICATION_ORDER, 'desc', window);
}

export async function countNotificationsOfCustomers(
  db: Kysely<DB>,
  scope: Scope,
  customerIds: readonly string[],
  status: readonly NotificationStatus[] | null,
): Promise<Map<string, number>> {
  if (!customerIds.length) return new Map();
  return countsOf(db, notificationsOfCustomers(db, scope, customerIds, status));
}
