import { loadConfigOrExit, parseConfig } from '@crm/service-kit';
import { z } from 'zod';
import type { ChannelAdapter } from './adapter.ts';
import { loggingAdapter } from './logging-adapter.ts';
import { webhookAdapter } from './webhook-adapter.ts';

/**
 * The channel adapter from the environment: `NOTIFICATION_ADAPTER` = `log` (default) or
 * `webhook` with `NOTIFICATION_WEBHOOK_URL` (required then), `NOTIFICATION_WEBHOOK_TOKEN`
 * (optional bearer token) and `NOTIFICATION_WEBHOOK_TIMEOUT_MS` (default 5000). Read once when
 * the service is loaded; a bad setting stops the process with a message naming it.
 */
export const notificationEnvSchema = z
  .object({
    NOTIFICATION_ADAPTER: z.enum(['log', 'webhook']).default('log'),
    NOTIFICATION_WEBHOOK_URL: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
    NOTIFICATION_WEBHOOK_TOKEN: z.string().min(1).optional(),
    NOTIFICATION_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  })
  .refine((env) => env.NOTIFICATION_ADAPTER !== 'webhook' || !!env.NOTIFICATION_WEBHOOK_URL, {
    message: 'is required when NOTIFICATION_ADAPTER is webhook',
    path: ['NOTIFICATION_WEBHOOK_URL'],
  });

export function notificationAdapterFromEnv(env: Record<string, string | undefined>): ChannelAdapter {
  const config = parseConfig(notificationEnvSchema, env);
  if (config.NOTIFICATION_ADAPTER === 'webhook' && config.NOTIFICATION_WEBHOOK_URL)
    return webhookAdapter({
      url: config.NOTIFICATION_WEBHOOK_URL,
      token: config.NOTIFICATION_WEBHOOK_TOKEN,
      timeoutMs: config.NOTIFICATION_WEBHOOK_TIMEOUT_MS,
    });
  return loggingAdapter;
}

/** The adapter of this process, from its environment (exits with the setting named when it is wrong). */
export const configuredNotificationAdapter = (): ChannelAdapter => loadConfigOrExit(() => notificationAdapterFromEnv(process.env));
