import type { ChannelAdapter } from './adapter.ts';

/**
 * The default adapter: writes one `notification sent` log line per message (ids, kind, channel
 * and language; never the address or the text, which are personal data) and accepts it. For
 * development, demos and institutions that have not plugged a provider in yet.
 */
export const loggingAdapter: ChannelAdapter = {
  name: 'log',
  async send(message, { logger }) {
    logger.info(
      { notificationId: message.id, customerId: message.customerId, kind: message.kind, channel: message.channel, language: message.language },
      'notification sent',
    );
    return { ok: true, providerRef: `log:${message.id}` };
  },
};
