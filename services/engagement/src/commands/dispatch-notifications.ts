import { emitMany, type PendingEvent } from '@crm/events';
import type { Logger } from '@crm/service-kit';
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { ChannelAdapter, NotificationMessage, SendResult } from '../channels/adapter.ts';
import { contactsWithinLimits, findContactRules } from '../db/contact-limit.store.ts';
import {
  countDueNotifications,
  deferDueNotifications,
  deferNotifications,
  findDueNotifications,
  findTextSettings,
  markFailures,
  markSent,
  recordNotificationContacts,
  suppressNotifications,
} from '../db/notification.store.ts';
import type { DB, NotificationRow } from '../db/schema.ts';
import { allowedAgainAt, type ContactRules, hoursRefusal } from '../domain/contact-limits.ts';
import {
  addressFor,
  afterFailure,
  CONTACT_OF_NOTIFICATION,
  type ContactCheck,
  dispatchDecision,
  NOTIFICATION_SETTING_DEFAULTS,
  NOTIFICATION_STAFF_ID,
  quietUntil,
} from '../domain/notifications.ts';
import type { NotificationReason } from '../domain/types.ts';
import { notificationStatusData } from './queue-notification.ts';

/** Notifications decided and sent per page (one read, a few writes, then the provider calls). */
export const DISPATCH_PAGE = 200;
/** Pages per run at most (a backlog beyond waits for the next run). */
export const DISPATCH_MAX_PAGES = 50;
/** When the contact rules give no instant at which a contact is allowed again, look again after this. */
const CONTACT_HOURS_FALLBACK_MS = 60 * 60_000;

export interface DispatchCounts {
  [name: string]: number;
  examined: number;
  sent: number;
  retried: number;
  failed: number;
  suppressed: number;
  deferredQuietHours: number;
  deferredContactHours: number;
}

/**
 * Sends the queued notifications whose time has come (the `notification-dispatch` job), set-wise
 * a page at a time:
 *
 * 1. Inside the quiet hours (settings, institution time zone) nothing is sent: every due
 *    notification is deferred to their end (QUEUED, deferredReason QUIET_HOURS), one statement.
 * 2. Otherwise, in one transaction per page: the due notifications with their kind's consent,
 *    the customer's answer and contact details (one statement); each is decided by
 *    `dispatchDecision` (EXPIRED, NO_CONSENT, NO_CONTACT_ADDRESS, then the contact rules:
 *    CONTACT_LIMIT suppresses, outside the purpose's contact hours defers); the limits of the
 *    whole page in one statement (`contactsWithinLimits`: a customer's notifications of the
 *    page count the ones accepted before them); suppressions and deferrals are written per
 *    reason, with NotificationStatusChanged.
 * 3. The rest go to the channel adapter, outside any transaction.
 * 4. In one transaction: accepted ones are SENT (with the provider's reference) and recorded as
 *    outbound interactions (InteractionLogged; a letter as a LETTER one), so the contact limits count
 *    them; failures are retried later (the base delay doubled per attempt) or FAILED with
 *    PROVIDER_ERROR after the last attempt or a refusal. NotificationStatusChanged for each
 *    change of status.
 *
 * A crash between 3 and 4 sends those again on the next run: adapters pass the notification id
 * as the provider's idempotency key.
 */
export async function dispatchNotifications(
  db: Kysely<DB>,
  adapter: ChannelAdapter,
  ctx: { now: Date; logger: Logger; progress?: (done: number, total: number) => Promise<void> },
): Promise<DispatchCounts> {
  const { now } = ctx;
  const counts: DispatchCounts = { examined: 0, sent: 0, retried: 0, failed: 0, suppressed: 0, deferredQuietHours: 0, deferredContactHours: 0 };
  const settings = await findTextSettings(db, NOTIFICATION_SETTING_DEFAULTS);
  const quiet = quietUntil(now, {
    start: settings.notification_quiet_start,
    end: settings.notification_quiet_end,
    timeZone: settings.notification_time_zone,
  });
  if (quiet) {
    counts.deferredQuietHours = await db.transaction().execute((tx) => deferDueNotifications(tx, now, quiet, 'QUIET_HOURS'));
    return counts;
  }
  const retry = { maxAttempts: Number(settings.notification_max_attempts), baseMinutes: Number(settings.notification_retry_minutes) };
  const total = await countDueNotifications(db, now);
  const rules = await findContactRules(db);
  for (let page = 0; page < DISPATCH_MAX_PAGES; page++) {
    const decided = await db.transaction().execute((tx) => decidePage(tx, now, rules, counts));
    if (!decided) break;
    const results: { message: NotificationMessage; result: SendResult }[] = [];
    for (const m of decided.toSend) results.push({ message: m, result: await adapter.send(m, { logger: ctx.logger }) });
    await db.transaction().execute(async (tx) => {
      const sent = await markSent(
        tx,
        results.flatMap(({ message, result }) => (result.ok ? [{ id: message.id, providerRef: result.providerRef }] : [])),
        now,
      );
      const failures = results.flatMap(({ message, result }) => {
        if (result.ok) return [];
        const attemptsBefore = decided.attempts.get(message.id) ?? 0;
        const next = afterFailure({ attemptsBefore, retryable: result.retryable, ...retry }, now);
        return [{ id: message.id, error: result.error, retryAt: next.final ? null : next.retryAt }];
      });
      const failed = await markFailures(tx, failures, now);
      const contacts = sent.map((n) => ({
        id: uuidv7(),
        customerId: n.customer_id,
        channel: CONTACT_OF_NOTIFICATION.channel[n.channel],
        purpose: CONTACT_OF_NOTIFICATION.purpose[n.kind],
        summary: `${n.kind} notification ${n.id} sent by ${n.channel}`,
        at: now,
      }));
      await recordNotificationContacts(tx, contacts, NOTIFICATION_STAFF_ID);
      const events: PendingEvent[] = [
        ...sent.map((n) => statusEvent(n, now)),
        ...failed.filter((n) => n.status === 'FAILED').map((n) => statusEvent(n, now)),
        ...contacts.map(
          (c): PendingEvent<'InteractionLogged'> => ({
            name: 'InteractionLogged',
            subject: c.customerId,
            data: {
              interactionId: c.id,
              customerId: c.customerId,
              channel: c.channel,
              direction: 'OUTBOUND',
              purpose: c.purpose,
              staffId: NOTIFICATION_STAFF_ID,
              occurredAt: c.at.toISOString(),
            },
          }),
        ),
      ];
      if (events.length) await emitMany(tx, events, now);
      counts.sent += sent.length;
      counts.failed += failed.filter((n) => n.status === 'FAILED').length;
      counts.retried += failed.filter((n) => n.status === 'QUEUED').length;
    });
    await ctx.progress?.(counts.examined, Math.max(total, counts.examined));
    // a short page is the last
    if (decided.pageSize < DISPATCH_PAGE) break;
  }
  return counts;
}

const statusEvent = (n: NotificationRow, at: Date): PendingEvent<'NotificationStatusChanged'> => ({
  name: 'NotificationStatusChanged',
  subject: n.customer_id,
  data: notificationStatusData(n, 'QUEUED', at),
});

/**
 * Step 2 of a page: decides the due notifications, writes the suppressions and deferrals, returns
 * what to send. The contact limits of the whole page are decided by one statement
 * (`contactsWithinLimits`), which counts, for each notification, the customer's recorded outbound
 * contacts and the notifications of the page accepted before it; the allowed hours are pure rules.
 */
async function decidePage(
  tx: Kysely<DB>,
  now: Date,
  rules: ContactRules,
  counts: DispatchCounts,
): Promise<{ toSend: NotificationMessage[]; attempts: Map<string, number>; pageSize: number } | null> {
  const page = await findDueNotifications(tx, now, DISPATCH_PAGE);
  if (!page.length) return null;
  const suppress = new Map<NotificationReason, string[]>();
  const defer: { id: string; until: Date }[] = [];
  const toSend: NotificationMessage[] = [];
  const attempts = new Map<string, number>();
  // first the facts of each notification (expiry, consent, address), then the contact rules of those that pass
  const facts = page.map((n) => {
    const address = addressFor(n.channel, {
      phone: n.phone,
      email: n.email,
      addressLine: n.address_line,
      district: n.district,
      city: n.city,
      region: n.region,
    });
    const f = { expiresAt: n.expires_at, requiredConsent: n.required_consent, consented: n.consented, address };
    const contact = { channel: CONTACT_OF_NOTIFICATION.channel[n.channel], purpose: CONTACT_OF_NOTIFICATION.purpose[n.kind] };
    const hours = hoursRefusal(
      rules.hours.find((h) => h.purpose === contact.purpose),
      now,
    );
    return { n, address, facts: f, contact, hours, first: dispatchDecision(f, null, now) };
  });
  const within = await contactsWithinLimits(
    tx,
    facts
      .filter((x) => x.first.send)
      .map((x) => ({
        key: x.n.id,
        customerId: x.n.customer_id,
        channel: x.contact.channel,
        purpose: x.contact.purpose,
        counts: x.hours === null,
      })),
    now,
  );
  for (const { n, address, facts: f, hours, first } of facts) {
    counts.examined++;
    let decision = first;
    if (decision.send) {
      const check: ContactCheck =
        within.get(n.id) === false
          ? { allowed: false, limit: true }
          : hours
            ? { allowed: false, limit: false, hoursUntil: allowedAgainAt([hours]) ?? new Date(now.getTime() + CONTACT_HOURS_FALLBACK_MS) }
            : { allowed: true };
      decision = dispatchDecision(f, check, now);
    }
    if (decision.send) {
      toSend.push({
        id: n.id,
        customerId: n.customer_id,
        kind: n.kind,
        channel: n.channel,
        language: n.language,
        address: address ?? '',
        subject: n.subject,
        body: n.body ?? '',
      });
      attempts.set(n.id, n.attempts);
    } else if ('suppress' in decision) suppress.set(decision.suppress, [...(suppress.get(decision.suppress) ?? []), n.id]);
    else defer.push({ id: n.id, until: decision.deferUntil });
  }
  const events: PendingEvent[] = [];
  for (const [reason, ids] of suppress) {
    const rows = await suppressNotifications(tx, ids, reason, now);
    counts.suppressed += rows.length;
    events.push(...rows.map((n) => statusEvent(n, now)));
  }
  if (events.length) await emitMany(tx, events, now);
  counts.deferredContactHours += await deferNotifications(tx, defer, 'CONTACT_HOURS', now);
  return { toSend, attempts, pageSize: page.length };
}
