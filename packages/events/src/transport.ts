/** A message as it travels on a topic: key = customer id, value = CloudEvent JSON. */
export interface TransportMessage {
  key: string;
  value: string;
  headers?: Record<string, string>;
}

export interface ReceivedMessage extends TransportMessage {
  topic: string;
  /** Tells the broker the consumer is alive while a message waits on a retry (Kafka). */
  heartbeat?: () => Promise<void>;
}

/** The state of one dependency as readiness reports it. */
export interface HealthState {
  ok: boolean;
  /** What an operator should read: the last error, since when, what happens next. */
  detail?: string | undefined;
  /** The part cannot recover by itself: liveness fails so that the process is restarted. */
  fatal?: boolean | undefined;
}

export interface SubscribeOptions {
  /** One consumer group per service. */
  groupId: string;
  topics: string[];
  /** Resolves when the message is fully handled; the position advances only after that. */
  handle: (message: ReceivedMessage) => Promise<void>;
  /**
   * Several messages of one partition at once, in order (consumers: one transaction for many
   * events); when given, transports deliver through it instead of `handle`.
   */
  handleBatch?: (messages: readonly ReceivedMessage[]) => Promise<void>;
}

export interface Subscription {
  stop(): Promise<void>;
  /** Whether the subscription is consuming (joined its group, not crashed). */
  health?(): HealthState;
}

/** A topic with its settings (Kafka topic configs); the in-process transport keeps no settings. */
export interface TopicSpec {
  topic: string;
  configs: Record<string, string>;
}

/** Settings of a state topic: compacted, superseded records gone within a day (a withdrawn consent's contact details too). */
export const STATE_TOPIC_CONFIGS: Record<string, string> = {
  'cleanup.policy': 'compact',
  'max.compaction.lag.ms': String(24 * 60 * 60 * 1000),
  'min.cleanable.dirty.ratio': '0.1',
};

/** The two transports (Kafka, in-process) behind one interface. */
export interface Transport {
  readonly kind: 'kafka' | 'in-process';
  connect(): Promise<void>;
  /** Creates the missing topics; a TopicSpec's settings (e.g. `cleanup.policy=compact`) are applied to it, also when it exists. */
  ensureTopics(topics: readonly (string | TopicSpec)[]): Promise<void>;
  /** Resolves once the messages are durably accepted (Kafka) or handled (in-process). */
  publish(topic: string, messages: TransportMessage[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  isReady(): boolean;
  /** isReady with the reason, possibly asking the broker; transports without it are judged by isReady alone. */
  health?(): HealthState | Promise<HealthState>;
  close(): Promise<void>;
}
