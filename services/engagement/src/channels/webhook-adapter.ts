import { request } from 'undici';
import type { ChannelAdapter, NotificationMessage, SendResult } from './adapter.ts';

export interface WebhookSettings {
  /** The endpoint that takes the notifications (the institution's notification gateway, a provider's API). */
  url: string;
  /** Sent as `Authorization: Bearer <token>` when set. */
  token?: string | undefined;
  /** Bound of one call (headers and body). */
  timeoutMs: number;
}

/** HTTP statuses worth trying again later: timeouts, throttling and server errors. */
const RETRYABLE = (status: number) => status === 408 || status === 429 || status >= 500;

/**
 * Posts each notification as JSON to a configured URL (real providers plug in behind it), with
 * the notification id as `Idempotency-Key`. A 2xx is accepted (the provider's reference is the
 * body's `id` or `reference`, else the `x-message-id` header, else the notification id); 408, 429,
 * 5xx and network errors or timeouts are retried later; any other status is a refusal.
 */
export function webhookAdapter(settings: WebhookSettings): ChannelAdapter {
  return {
    name: 'webhook',
    async send(message): Promise<SendResult> {
      try {
        const res = await request(settings.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'idempotency-key': message.id,
            ...(settings.token ? { authorization: `Bearer ${settings.token}` } : {}),
          },
          // the JSON body is the message itself (NotificationMessage)
          body: JSON.stringify(message satisfies NotificationMessage),
          headersTimeout: settings.timeoutMs,
          bodyTimeout: settings.timeoutMs,
        });
        const text = await res.body.text();
        if (res.statusCode >= 200 && res.statusCode < 300) return { ok: true, providerRef: referenceOf(text, res.headers['x-message-id']) ?? message.id };
        return { ok: false, error: `HTTP ${res.statusCode}${text ? `: ${text.slice(0, 200)}` : ''}`, retryable: RETRYABLE(res.statusCode) };
      } catch (error) {
        return { ok: false, error: error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 300) : 'request failed', retryable: true };
      }
    },
  };
}

function referenceOf(body: string, header: string | string[] | undefined): string | null {
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object') {
      const { id, reference } = parsed as { id?: unknown; reference?: unknown };
      if (typeof id === 'string' && id) return id;
      if (typeof reference === 'string' && reference) return reference;
    }
  } catch {
    // not JSON: fall back to the header
  }
  return typeof header === 'string' && header ? header : null;
}
