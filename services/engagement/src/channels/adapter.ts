import type { Logger } from '@crm/service-kit';
import type { NotificationChannel, NotificationKind } from '../domain/types.ts';

/**
 * A channel adapter delivers one notification to a provider (SMS gateway, e-mail service, push
 * service, print house). The dispatch job (commands/dispatch-notifications.ts) calls it outside
 * any database transaction and records what it answers. The same notification may be handed over
 * again after a crash between the provider's answer and the record (at-least-once): adapters pass
 * `id` to the provider as an idempotency key so it can drop the duplicate.
 */
export interface NotificationMessage {
  /** The notification id: the provider's idempotency key. */
  id: string;
  customerId: string;
  kind: NotificationKind;
  channel: NotificationChannel;
  language: string;
  /** Phone number (SMS), e-mail address (EMAIL), postal address (LETTER), `app` (PUSH: the app addresses the customer by id). */
  address: string;
  subject: string | null;
  body: string;
}

/** What the provider answered: accepted with its reference, or an error, retryable or not. */
export type SendResult = { ok: true; providerRef: string } | { ok: false; error: string; retryable: boolean };

export interface ChannelAdapter {
  /** Short name for logs and counts: `log`, `webhook`. */
  readonly name: string;
  send(message: NotificationMessage, ctx: { logger: Logger }): Promise<SendResult>;
}
