import { randomBytes } from 'node:crypto';
import {
  createConsumer,
  createEvent,
  type EventTables,
  eventOperationsMigrations,
  eventTablesMigration,
  KafkaTransport,
  partitionOfKey,
  topicOf,
} from '@crm/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db.ts';
import { createLogger } from '../src/logger.ts';
import { eventually, openTestDatabase } from '../src/testing/index.ts';

/** Runs where a real broker is configured (CI's Kafka pass). */
const brokers = process.env.KAFKA_BROKERS?.split(',').filter(Boolean) ?? [];

const partitionOf = (key: string) => partitionOfKey(key, 3);

const data = (customerId: string) => ({
  customerId,
  kind: 'INDIVIDUAL' as const,
  displayName: `Customer ${customerId}`,
  status: 'ACTIVE' as const,
  branchId: 'BR-1',
  relationshipManagerId: 'rm-1',
  birthDate: null,
  registeredAt: '2026-11-23T10:00:00.000Z',
});

describe.runIf(brokers.length > 0)('a poison event on Kafka', () => {
  const namespace = `t${randomBytes(4).toString('hex')}`;
  const logger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');
  let transport: KafkaTransport;
  let database: Database<EventTables>;
  beforeAll(async () => {
    transport = new KafkaTransport({ brokers, clientId: `faults-${namespace}`, logger, partitions: 3 });
    await transport.connect();
    database = await openTestDatabase<EventTables>('kafka', { '0000_event_tables': eventTablesMigration, ...eventOperationsMigrations });
  });
  afterAll(async () => {
    await transport?.close();
    await database?.close();
  });

  it('retries on its partition without stalling the other partitions', async () => {
    const topic = topicOf('customers', namespace);
    await transport.ensureTopics([topic]);
    const handled: string[] = [];
    const poison = Array.from({ length: 60 }, (_, i) => `poison-${i}`).find((k) => partitionOf(k) === 0) as string;
    const seenPoison: number[] = [];
    const consumer = createConsumer<EventTables>({
      service: 'engagement',
      db: database.db,
      transport,
      logger,
      namespace,
      maxAttempts: 3,
      initialBackoffMs: 5_000,
      maxBackoffMs: 5_000,
      handlers: {
        CustomerRegistered: async (_tx, event) => {
          if (event.subject === poison) {
            seenPoison.push(Date.now());
            throw new Error('this event can never be handled');
          }
          handled.push(event.subject);
        },
      },
    });
    // A backlog (a lagging group): the poison and the events of other keys wait on the topic.
    // kafkajs hands one fetch's partitions to concurrent workers, so the poison's backoff holds
    // its own partition only. (A fetch waits for all of its batches, so events arriving later
    // wait at most the poison's bounded retries: maxAttempts × maxBackoffMs.)
    const send = (key: string) =>
      transport.publish(topic, [{ key, value: JSON.stringify(createEvent('CustomerRegistered', { subject: key, data: data(key) })) }]);
    // The poison on the first partition, the other keys on the others.
    const candidates = Array.from({ length: 60 }, (_, i) => `k${i}`);
    const keys = candidates.filter((k) => partitionOf(k) !== 0).slice(0, 12);
    await send(poison);
    for (const key of keys) await send(key);
    await consumer.start();
    try {
      await eventually(async () => (seenPoison.length ? true : undefined), 30_000);
      // While the poison retries (5 s between tries), the other partitions are consumed.
      await eventually(async () => (handled.length >= 4 ? true : undefined), 4_000);
      const deadBefore = await database.db.selectFrom('event_dead_letter').select('event_id').execute();
      expect(deadBefore).toEqual([]);
      // Then the poison is dead-lettered and everything else handled: nothing lost.
      await eventually(async () => ((await database.db.selectFrom('event_dead_letter').select('event_id').execute()).length === 1 ? true : undefined), 30_000);
      await eventually(async () => (handled.length === keys.length ? true : undefined), 30_000);
      expect([...handled].sort()).toEqual([...keys].sort());
    } finally {
      await consumer.stop();
    }
  });
});
