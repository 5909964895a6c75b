/** A message as it travels on a topic: key = customer id, value = CloudEvent JSON. */
export interface TransportMessage {
  key: string;
  value: string;
  headers?: Record<string, string>;
}

export interface ReceivedMessage extends TransportMessage {
  topic: string;
}

export interface SubscribeOptions {
  /** One consumer group per service. */
  groupId: string;
  topics: string[];
  /** Resolves when the message is fully handled; the position advances only after that. */
  handle: (message: ReceivedMessage) => Promise<void>;
}

export interface Subscription {
  stop(): Promise<void>;
}

/** The two transports (Kafka, in-process) behind one interface. */
export interface Transport {
  readonly kind: 'kafka' | 'in-process';
  connect(): Promise<void>;
  ensureTopics(topics: string[]): Promise<void>;
  /** Resolves once the messages are durably accepted (Kafka) or handled (in-process). */
  publish(topic: string, messages: TransportMessage[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  isReady(): boolean;
  close(): Promise<void>;
}
