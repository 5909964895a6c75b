import type { ReceivedMessage, SubscribeOptions, Subscription, TopicSpec, Transport, TransportMessage } from './transport.ts';

/** Messages kept per topic for groups that subscribe late (start-up order in one process). */
const MAX_REPLAY = 10_000;

interface Group {
  topics: Set<string>;
  handle: (message: ReceivedMessage) => Promise<void>;
  handleBatch: ((messages: readonly ReceivedMessage[]) => Promise<void>) | undefined;
  /** Serialises delivery: one publish (or backlog) at a time per group, in publish order. */
  tail: Promise<void>;
  stopped: boolean;
}

/**
 * Delivers events inside one process (embedded mode). `publish` resolves only after every
 * subscribed group has handled the messages, so the relay marks an outbox row sent only once
 * its consumers have committed: a crash never loses an event. Messages published to a topic
 * before a group subscribed are replayed to it on subscription.
 */
export class InProcessTransport implements Transport {
  readonly kind = 'in-process' as const;
  private readonly log = new Map<string, ReceivedMessage[]>();
  private readonly groups = new Map<string, Group>();

  async connect(): Promise<void> {}

  async ensureTopics(topics: readonly (string | TopicSpec)[]): Promise<void> {
    for (const spec of topics) {
      const t = typeof spec === 'string' ? spec : spec.topic;
      if (!this.log.has(t)) this.log.set(t, []);
    }
  }

  async publish(topic: string, messages: TransportMessage[]): Promise<void> {
    const received = messages.map((m) => ({ ...m, topic }));
    const log = this.log.get(topic) ?? [];
    log.push(...received);
    if (log.length > MAX_REPLAY) log.splice(0, log.length - MAX_REPLAY);
    this.log.set(topic, log);
    const deliveries: Promise<void>[] = [];
    for (const group of this.groups.values()) {
      if (group.topics.has(topic)) deliveries.push(this.enqueue(group, received));
    }
    await Promise.all(deliveries);
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    if (this.groups.has(options.groupId)) throw new Error(`Group ${options.groupId} already subscribed`);
    const group: Group = {
      topics: new Set(options.topics),
      handle: options.handle,
      handleBatch: options.handleBatch,
      tail: Promise.resolve(),
      stopped: false,
    };
    this.groups.set(options.groupId, group);
    for (const topic of options.topics) {
      const backlog = this.log.get(topic);
      if (backlog?.length) void this.enqueue(group, [...backlog]);
    }
    return {
      stop: async () => {
        group.stopped = true;
        this.groups.delete(options.groupId);
        await group.tail;
      },
    };
  }

  private enqueue(group: Group, messages: ReceivedMessage[]): Promise<void> {
    const delivery = group.tail.then(async () => {
      if (group.stopped) return;
      // A group that takes batches gets each publish's messages (a relay's batch) at once.
      if (group.handleBatch) return group.handleBatch(messages);
      for (const message of messages) {
        if (group.stopped) return;
        await group.handle(message);
      }
    });
    // A failed delivery rejects the publish (the relay retries it) but keeps the queue going.
    group.tail = delivery.catch(() => undefined);
    return delivery;
  }

  isReady(): boolean {
    return true;
  }

  async close(): Promise<void> {
    await Promise.all([...this.groups.values()].map((g) => g.tail));
    this.groups.clear();
  }
}
