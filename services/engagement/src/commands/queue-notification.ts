import { emit } from '@crm/events';
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { findKindPolicies, findRecipient, findTemplateFor, findTextSettings, insertNotificationOnce } from '../db/notification.store.ts';
import type { DB, NotificationRow } from '../db/schema.ts';
import {
  channelFor,
  expiryOf,
  languageFor,
  NOTIFICATION_SETTING_DEFAULTS,
  notificationDedupeKey,
  renderTemplate,
  templateLanguages,
} from '../domain/notifications.ts';
import type { NotificationKind, NotificationReason, NotificationStatus } from '../domain/types.ts';

/**
 * Queues a notification in the caller's transaction (an event handler's): the channel (the
 * kind's policy, else the customer's preferred channel, else SMS), the language (the customer's,
 * else the branch's, else the default) and the template of that kind, channel and language (else
 * the default language) rendered with the event's values. It is QUEUED to go out from `at`, or
 * SUPPRESSED at once when its kind is switched off (KIND_DISABLED) or has no template
 * (NO_TEMPLATE). Consent, contact address, contact limits and quiet hours are checked when it is
 * sent (commands/dispatch-notifications.ts), since they may change meanwhile.
 *
 * The same event never queues twice (unique event and kind), nor the same business fact (the
 * dedupe key: one reminder per instalment and due date...). Emits NotificationStatusChanged.
 */
export async function queueNotification(
  tx: Kysely<DB>,
  input: {
    kind: NotificationKind;
    customerId: string;
    loanId: string | null;
    /** The template's values (customerName is added here). */
    params: Record<string, string>;
    sourceEventId: string | null;
    at: Date;
  },
): Promise<NotificationRow | null> {
  const [policies, settings, recipient] = await Promise.all([
    findKindPolicies(tx),
    findTextSettings(tx, NOTIFICATION_SETTING_DEFAULTS),
    findRecipient(tx, input.customerId),
  ]);
  const policy = policies.find((p) => p.kind === input.kind);
  const defaultLanguage = settings.notification_default_language;
  const channel = channelFor(policy?.channel ?? null, recipient.preferredChannel);
  const language = languageFor(recipient.preferredLanguage, recipient.branchLanguage, defaultLanguage);
  const params = { ...input.params, customerName: recipient.displayName ?? 'customer' };
  const template = await findTemplateFor(tx, input.kind, channel, templateLanguages(language, defaultLanguage));
  const reason: NotificationReason | null = policy && !policy.enabled ? 'KIND_DISABLED' : !template ? 'NO_TEMPLATE' : null;
  const status: NotificationStatus = reason ? 'SUPPRESSED' : 'QUEUED';
  const row = await insertNotificationOnce(tx, {
    id: uuidv7(),
    customer_id: input.customerId,
    kind: input.kind,
    channel,
    // the language of the text actually used (the default one when the customer's has no template)
    language: template?.language ?? language,
    status,
    reason,
    deferred_reason: null,
    send_after: input.at,
    expires_at: expiryOf(input.kind, input.params),
    last_error: null,
    provider_ref: null,
    template_id: template?.id ?? null,
    subject: template?.subject ? renderTemplate(template.subject, params) : null,
    body: template ? renderTemplate(template.body, params) : null,
    params: input.params,
    loan_id: input.loanId,
    source_event_id: input.sourceEventId,
    dedupe_key: notificationDedupeKey(input.kind, input.params),
    created_at: input.at,
    updated_at: input.at,
    sent_at: null,
  });
  if (!row) return null;
  await emitNotificationStatus(tx, row, null, input.at);
  return row;
}

/** NotificationStatusChanged for a notification that just took its status. */
export async function emitNotificationStatus(tx: Kysely<DB>, n: NotificationRow, previousStatus: NotificationStatus | null, at: Date): Promise<void> {
  await emit(tx, 'NotificationStatusChanged', {
    subject: n.customer_id,
    time: at,
    data: notificationStatusData(n, previousStatus, at),
  });
}

export const notificationStatusData = (n: NotificationRow, previousStatus: NotificationStatus | null, at: Date) => ({
  notificationId: n.id,
  customerId: n.customer_id,
  kind: n.kind,
  channel: n.channel,
  language: n.language,
  previousStatus,
  status: n.status,
  reason: n.reason,
  attempts: n.attempts,
  sourceEventId: n.source_event_id,
  loanId: n.loan_id,
  changedAt: at.toISOString(),
});
