import { type Admin, Kafka, logLevel } from 'kafkajs';
import type { Logger } from 'pino';
import { consumerLag } from './metrics.ts';

export interface ConsumerLagSamplerOptions {
  service: string;
  brokers: string[];
  groupId: string;
  topics: string[];
  logger: Logger;
  /** Sampling period (default 15 s): two admin requests per topic each time. */
  everyMs?: number;
}

/**
 * Samples the consumer group's lag on Kafka (end offsets minus committed offsets, summed over
 * partitions) into crm_consumer_lag_messages. Its own admin client, so a slow broker never
 * delays the consumer; a failed sample is logged at debug and retried next period. In embedded
 * mode there is no lag to measure: the in-process transport delivers before publish resolves.
 */
export function startConsumerLagSampler(options: ConsumerLagSamplerOptions): { stop(): Promise<void> } {
  const kafka = new Kafka({ clientId: `${options.groupId}-lag`, brokers: options.brokers, logLevel: logLevel.NOTHING, retry: { retries: 1 } });
  let admin: Admin | null = null;
  let stopped = false;

  async function sample(): Promise<void> {
    if (!admin) {
      admin = kafka.admin();
      await admin.connect();
    }
    for (const topic of options.topics) {
      const [ends, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId: options.groupId, topics: [topic] })]);
      const done = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
      let lag = 0n;
      for (const p of ends) {
        const end = BigInt(p.high);
        const at = done.get(p.partition) ?? -1n;
        // -1: nothing committed yet; the group starts from the earliest offset.
        lag += at < 0n ? end - BigInt(p.low) : end > at ? end - at : 0n;
      }
      consumerLag.set({ service: options.service, topic }, Number(lag));
    }
  }

  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    sample()
      .catch((error: unknown) => options.logger.debug({ err: error }, 'consumer lag not sampled'))
      .finally(() => {
        if (!stopped) {
          timer = setTimeout(tick, options.everyMs ?? 15_000);
          timer.unref();
        }
      });
  };
  timer = setTimeout(tick, 1_000);
  timer.unref();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await admin?.disconnect().catch(() => undefined);
    },
  };
}
