import kafkajs, { type Admin, type Consumer, Kafka, type KafkaMessage, logLevel, Partitioners, type Producer } from 'kafkajs';

// kafkajs is CommonJS: Node's ESM loader does not see ConfigResourceTypes as a named export.
const { ConfigResourceTypes } = kafkajs;

import type { Logger } from 'pino';
import type { HealthState, ReceivedMessage, SubscribeOptions, Subscription, TopicSpec, Transport, TransportMessage } from './transport.ts';

export interface KafkaTransportOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** Partitions for topics this transport creates. */
  partitions?: number;
  /**
   * Partitions a consumer works on at once (kafkajs partitionsConsumedConcurrently): an event
   * retrying on one partition does not stall the others; order within a partition (a key) holds.
   */
  partitionsConcurrently?: number;
}

/** Messages of one fetch handed to a consumer at once (kafkajs fetches up to maxBytesPerPartition). */
const BATCH_SLICE = 500;

function receivedOf(topic: string, message: KafkaMessage, heartbeat: () => Promise<void>): ReceivedMessage {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(message.headers ?? {})) if (v !== undefined) headers[k] = String(v);
  return { topic, key: message.key?.toString() ?? '', value: message.value?.toString() ?? '', headers, heartbeat };
}

/** The partition the producer's default partitioner gives a key (operators' tools, tests). */
export function partitionOfKey(key: string, partitions: number): number {
  return Partitioners.DefaultPartitioner()({
    topic: '',
    partitionMetadata: Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] })),
    message: { key, value: null },
  });
}

/**
 * Follows a kafkajs consumer through its instrumentation events: ready once it joined its group;
 * not ready after CRASH (kafkajs restarts it later when `restart` is true, and never when false:
 * then the state is fatal and liveness fails so the process is restarted), DISCONNECT or STOP.
 */
export function watchConsumerHealth(consumer: Pick<Consumer, 'on' | 'events'>): { health(): HealthState; off(): void } {
  let state: HealthState = { ok: false, detail: 'joining the consumer group' };
  const since = () => new Date().toISOString();
  const offs = [
    consumer.on(consumer.events.GROUP_JOIN, () => {
      state = { ok: true, detail: 'consuming' };
    }),
    consumer.on(consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload as { error?: Error; restart?: boolean };
      state = restart
        ? { ok: false, detail: `consumer crashed at ${since()}: ${error?.message ?? 'unknown error'}; kafkajs restarts it` }
        : { ok: false, fatal: true, detail: `consumer crashed at ${since()} and will not restart: ${error?.message ?? 'unknown error'}` };
    }),
    consumer.on(consumer.events.DISCONNECT, () => {
      if (!state.fatal) state = { ok: false, detail: `consumer disconnected at ${since()}` };
    }),
    consumer.on(consumer.events.STOP, () => {
      if (!state.fatal) state = { ok: false, detail: `consumer stopped at ${since()}` };
    }),
  ];
  return {
    health: () => state,
    off: () => {
      for (const off of offs) off();
    },
  };
}

/**
 * Kafka through kafkajs: an idempotent producer (acks from all in-sync replicas, one request in
 * flight, so retries never duplicate or reorder), messages keyed by customer id, one consumer
 * group per service, offsets committed only after the handler resolved.
 */
export class KafkaTransport implements Transport {
  readonly kind = 'kafka' as const;
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly admin: Admin;
  private readonly consumers = new Set<Consumer>();
  private connected = false;
  private producerState: HealthState = { ok: false, detail: 'not connected' };
  private probe: Promise<HealthState> | null = null;

  private readonly options: KafkaTransportOptions;

  constructor(options: KafkaTransportOptions) {
    this.options = options;
    const log = options.logger.child({ component: 'kafkajs' });
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      // Capped so that a consumer crashed by a broker outage restarts within seconds of its return.
      retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 10_000 },
      logLevel: logLevel.WARN,
      logCreator: () => (entry) => {
        const { message, ...rest } = entry.log;
        if (entry.level <= logLevel.ERROR) log.error(rest, message);
        else log.warn(rest, message);
      },
    });
    this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    this.producer.on(this.producer.events.CONNECT, () => {
      this.producerState = { ok: true, detail: 'connected' };
    });
    this.producer.on(this.producer.events.DISCONNECT, () => {
      this.producerState = { ok: false, detail: `producer disconnected at ${new Date().toISOString()}` };
    });
    this.admin = this.kafka.admin();
  }

  async connect(): Promise<void> {
    await this.admin.connect();
    await this.producer.connect();
    this.connected = true;
    this.producerState = { ok: true, detail: 'connected' };
  }

  /**
   * Creates the missing topics, then waits until metadata shows every partition of every topic
   * with a leader: services started together on a fresh broker race to create the same topics,
   * and a consumer or producer that starts before the leaders are elected fails with "This server
   * does not host this topic-partition". Retries with backoff (200 ms doubling to 5 s) for up to
   * `timeoutMs`, then throws the last error.
   */
  async ensureTopics(specs: readonly (string | TopicSpec)[], timeoutMs = 60_000): Promise<void> {
    const topics = specs.map((s) => (typeof s === 'string' ? s : s.topic));
    const configsOf = new Map(specs.flatMap((s) => (typeof s === 'string' ? [] : [[s.topic, s.configs] as const])));
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 1, delay = 200; ; attempt++, delay = Math.min(delay * 2, 5_000)) {
      try {
        const existing = new Set(await this.admin.listTopics());
        const missing = topics.filter((t) => !existing.has(t));
        if (missing.length) {
          // false (not an error) when another process created one of them first
          await this.admin.createTopics({
            waitForLeaders: true,
            topics: missing.map((topic) => ({
              topic,
              numPartitions: this.options.partitions ?? 3,
              replicationFactor: -1,
              configEntries: Object.entries(configsOf.get(topic) ?? {}).map(([name, value]) => ({ name, value })),
            })),
          });
        }
        await this.applyTopicConfigs(configsOf);
        const { topics: metadata } = await this.admin.fetchTopicMetadata({ topics });
        const notReady = topics.filter((topic) => {
          const partitions = metadata.find((m) => m.name === topic)?.partitions ?? [];
          return !partitions.length || partitions.some((p) => p.leader < 0 || p.partitionErrorCode !== 0);
        });
        if (!notReady.length) return;
        throw new Error(`topics without a leader for every partition: ${notReady.join(', ')}`);
      } catch (error) {
        if (Date.now() + delay > deadline) throw error;
        this.options.logger.warn({ err: error, topics, attempt, retryInMs: delay }, 'topics not ready; retrying');
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** Brings existing topics' settings to the specified ones (a topic created before, e.g. without compaction). */
  private async applyTopicConfigs(configsOf: ReadonlyMap<string, Record<string, string>>): Promise<void> {
    if (!configsOf.size) return;
    const { resources } = await this.admin.describeConfigs({
      includeSynonyms: false,
      resources: [...configsOf.keys()].map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
    });
    const stale = resources.filter((r) => {
      const wanted = configsOf.get(r.resourceName) ?? {};
      return Object.entries(wanted).some(([name, value]) => r.configEntries.find((e) => e.configName === name)?.configValue !== value);
    });
    if (!stale.length) return;
    // alterConfigs replaces a topic's non-default settings: the wanted ones are all the platform sets.
    await this.admin.alterConfigs({
      validateOnly: false,
      resources: stale.map((r) => ({
        type: ConfigResourceTypes.TOPIC,
        name: r.resourceName,
        configEntries: Object.entries(configsOf.get(r.resourceName) ?? {}).map(([name, value]) => ({ name, value })),
      })),
    });
  }

  async publish(topic: string, messages: TransportMessage[]): Promise<void> {
    await this.producer.send({
      topic,
      acks: -1,
      messages: messages.map((m) => ({ key: m.key, value: m.value, ...(m.headers ? { headers: m.headers } : {}) })),
    });
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    const consumer = this.kafka.consumer({ groupId: options.groupId, allowAutoTopicCreation: false });
    await consumer.connect();
    await consumer.subscribe({ topics: options.topics, fromBeginning: true });
    const watch = watchConsumerHealth(consumer);
    consumer.on(consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload;
      this.options.logger.error({ err: error, groupId: options.groupId, restart }, 'kafka consumer crashed');
    });
    const joined = new Promise<void>((resolve) => {
      const off = consumer.on(consumer.events.GROUP_JOIN, () => {
        off();
        resolve();
      });
    });
    const handleBatch =
      options.handleBatch ??
      (async (messages: readonly ReceivedMessage[]) => {
        for (const m of messages) await options.handle(m);
      });
    const slice = BATCH_SLICE;
    await consumer.run({
      autoCommit: true,
      // Offsets resolved within a long batch are committed at most this often (always at its end).
      autoCommitInterval: 1_000,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConcurrently ?? this.options.partitions ?? 3,
      // One partition's fetch, handed over in slices: each slice's offsets are resolved (and
      // committed when due) only after the consumer handled it, so a crash re-delivers at most
      // one slice, which the inbox makes harmless.
      eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
        for (let i = 0; i < batch.messages.length; i += slice) {
          if (!isRunning() || isStale()) return;
          const messages = batch.messages.slice(i, i + slice);
          await handleBatch(messages.map((message) => receivedOf(batch.topic, message, heartbeat)));
          const last = messages[messages.length - 1];
          if (last) resolveOffset(last.offset);
          await commitOffsetsIfNecessary();
          await heartbeat();
        }
      },
    });
    await joined;
    this.consumers.add(consumer);
    return {
      stop: async () => {
        this.consumers.delete(consumer);
        await consumer.disconnect();
        watch.off();
      },
      health: () => watch.health(),
    };
  }

  isReady(): boolean {
    return this.connected && this.producerState.ok;
  }

  /**
   * Connected, and the cluster answers a metadata request within `timeoutMs`: the producer's
   * connection state alone stays "connected" through a broker outage. One probe at a time.
   */
  health(timeoutMs = 1_500): Promise<HealthState> {
    if (!this.connected) return Promise.resolve({ ok: false, detail: 'not connected' });
    if (!this.producerState.ok) return Promise.resolve(this.producerState);
    this.probe ??= (async () => {
      let timer: NodeJS.Timeout | undefined;
      try {
        const cluster = await Promise.race([
          this.admin.describeCluster(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`brokers did not answer within ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
        return cluster.brokers.length ? { ok: true, detail: `connected (${cluster.brokers.length} brokers)` } : { ok: false, detail: 'no broker available' };
      } catch (error) {
        return { ok: false, detail: `brokers unreachable: ${error instanceof Error ? error.message : String(error)}` };
      } finally {
        clearTimeout(timer);
        this.probe = null;
      }
    })();
    return this.probe;
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((c) => c.disconnect()));
    this.consumers.clear();
    await this.producer.disconnect();
    await this.admin.disconnect();
    this.connected = false;
  }
}
