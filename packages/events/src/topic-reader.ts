import { randomBytes } from 'node:crypto';
import kafkajs, { Kafka, logLevel } from 'kafkajs';

// kafkajs is CommonJS: Node's ESM loader does not see ConfigResourceTypes as a named export.
const { ConfigResourceTypes } = kafkajs;

import type { Transport } from './transport.ts';

/** A message as read back from a topic, with where it was. */
export interface TopicRecord {
  topic: string;
  /** The partition (Kafka); 0 on the in-process transport, which has one log per topic. */
  partition: number;
  key: string;
  value: string;
}

export interface ReadTopicsOptions {
  topics: string[];
  /** Stop once no message arrived for this long after the first one (or after start-up). */
  idleMs?: number;
  timeoutMs?: number;
}

/**
 * Reads topics from the beginning with a fresh kafkajs consumer group (no commit worth keeping),
 * as a team bootstrapping from the stream does: operators' tools and end-to-end tests.
 */
export async function readKafkaTopics(brokers: string[], options: ReadTopicsOptions): Promise<TopicRecord[]> {
  const kafka = new Kafka({ clientId: `topic-reader-${randomBytes(3).toString('hex')}`, brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `topic-reader-${randomBytes(6).toString('hex')}`, allowAutoTopicCreation: false });
  const records: TopicRecord[] = [];
  let last = Date.now();
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: options.topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        records.push({ topic, partition, key: message.key?.toString() ?? '', value: message.value?.toString() ?? '' });
        last = Date.now();
      },
    });
    await waitIdle(() => last, options);
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/** Reads topics from the beginning on any transport (in-process: its replay log) with a fresh group. */
export async function readTopics(transport: Transport, options: ReadTopicsOptions): Promise<TopicRecord[]> {
  const records: TopicRecord[] = [];
  let last = Date.now();
  const subscription = await transport.subscribe({
    groupId: `topic-reader-${randomBytes(6).toString('hex')}`,
    topics: options.topics,
    handle: async (m) => {
      records.push({ topic: m.topic, partition: 0, key: m.key, value: m.value });
      last = Date.now();
    },
  });
  try {
    await waitIdle(() => last, options);
  } finally {
    await subscription.stop();
  }
  return records;
}

async function waitIdle(lastAt: () => number, options: ReadTopicsOptions): Promise<void> {
  const idle = options.idleMs ?? 3_000;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (Date.now() - lastAt() < idle) {
    if (Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The settings of topics as the broker reports them (e.g. `cleanup.policy`). */
export async function kafkaTopicConfigs(brokers: string[], topics: string[]): Promise<Record<string, Record<string, string>>> {
  const kafka = new Kafka({ clientId: `topic-configs-${randomBytes(3).toString('hex')}`, brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })) });
    return Object.fromEntries(resources.map((r) => [r.resourceName, Object.fromEntries(r.configEntries.map((e) => [e.configName, e.configValue]))]));
  } finally {
    await admin.disconnect();
  }
}
