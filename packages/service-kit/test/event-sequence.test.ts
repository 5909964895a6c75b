import { randomBytes } from 'node:crypto';
import {
  createEvent,
  type EventTables,
  emit,
  emitMany,
  eventOperationsMigrations,
  eventTablesMigration,
  InProcessTransport,
  KafkaTransport,
  partitionOfKey,
  readKafkaTopics,
  readTopics,
  startRelay,
  type Transport,
  topicOf,
  writeToOutbox,
} from '@crm/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db.ts';
import { createLogger } from '../src/logger.ts';
import { openTestDatabase } from '../src/testing/index.ts';

/**
 * The aggregate sequence (CloudEvents `sequence`): per topic and key 1, 2, 3... without gaps,
 * assigned in the writing transaction, under concurrent writers (real concurrency on
 * PostgreSQL); and one customer's events stay in order on one partition through a relay restart
 * (on Kafka when KAFKA_BROKERS is set, else on the in-process transport).
 */

const brokers = process.env.KAFKA_BROKERS?.split(',').filter(Boolean) ?? [];
const logger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');
const CUSTOMERS = ['c-1', 'c-2', 'c-3', 'c-4'];

const changed = (customerId: string, i: number) => ({
  customerId,
  changes: [{ field: 'preferredLanguage', oldValue: null, newValue: `l${i}` }],
  updatedBy: 'u-1',
  updatedAt: '2026-11-23T10:00:00.000Z',
});

interface Row {
  seq: string;
  topic: string;
  key: string;
  event: { sequence?: string; sequencetype?: string; data: { changes: { newValue: string }[] } };
}

/** Per key, the sequences in outbox (publish) order. */
async function sequencesByKey(db: Database<EventTables>['db']): Promise<Map<string, number[]>> {
  const rows = (await db.selectFrom('event_outbox').select(['seq', 'topic', 'key', 'event']).orderBy('seq').execute()) as unknown as Row[];
  const byKey = new Map<string, number[]>();
  for (const r of rows) {
    expect(r.event.sequencetype).toBe('Integer');
    byKey.set(`${r.topic}/${r.key}`, [...(byKey.get(`${r.topic}/${r.key}`) ?? []), Number(r.event.sequence)]);
  }
  return byKey;
}

describe('aggregate sequence numbers', () => {
  let database: Database<EventTables>;
  beforeAll(async () => {
    database = await openTestDatabase<EventTables>('sequence', { '0000_event_tables': eventTablesMigration, ...eventOperationsMigrations });
  }, 120_000);
  afterAll(async () => {
    await database?.close();
  });

  it('are 1..n per customer, in commit order, without gaps, under concurrent writers (emit, emitMany, writeToOutbox)', async () => {
    const writers = 8;
    const perWriter = 12;
    let rolledBack = 0;
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; i < perWriter; i++) {
          const key = CUSTOMERS[(w + i) % CUSTOMERS.length] as string;
          const other = CUSTOMERS[(w + i + 1) % CUSTOMERS.length] as string;
          const n = w * 100 + i;
          try {
            await database.db.transaction().execute(async (tx) => {
              if (i % 3 === 0) await emit(tx, 'CustomerProfileUpdated', { subject: key, data: changed(key, n) });
              else if (i % 3 === 1)
                await emitMany(tx, [
                  { name: 'CustomerProfileUpdated', subject: other, data: changed(other, n) },
                  { name: 'CustomerProfileUpdated', subject: key, data: changed(key, n) },
                  { name: 'CustomerProfileUpdated', subject: key, data: changed(key, n + 50) },
                ]);
              else await writeToOutbox(tx, [createEvent('CustomerProfileUpdated', { subject: key, data: changed(key, n) })]);
              // Some transactions roll back after writing: their sequence numbers are not used.
              if (i % 5 === 4) throw new Error('rolled back');
            });
          } catch (error) {
            if ((error as Error).message !== 'rolled back') throw error;
            rolledBack++;
          }
        }
      }),
    );
    expect(rolledBack).toBeGreaterThan(0);
    const byKey = await sequencesByKey(database.db);
    expect([...byKey.keys()].sort()).toEqual(CUSTOMERS.map((c) => `${topicOf('customers')}/${c}`).sort());
    let total = 0;
    for (const [key, seqs] of byKey) {
      // In publish order and without a gap: exactly 1, 2, ..., n.
      expect(seqs, key).toEqual(seqs.map((_, i) => i + 1));
      total += seqs.length;
    }
    const counted = await database.db
      .selectFrom('event_outbox')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(total).toBe(Number(counted.n));
    const stored = await database.db.selectFrom('event_sequence').select(['key', 'seq']).execute();
    for (const s of stored) expect(Number(s.seq)).toBe(byKey.get(`${topicOf('customers')}/${s.key}`)?.length);
  }, 120_000);

  it(`keep one customer's events in order on one partition through a relay restart (${brokers.length ? 'Kafka' : 'in-process'})`, async () => {
    const namespace = `seq${randomBytes(4).toString('hex')}`;
    const topic = topicOf('customers', namespace);
    const transport: Transport = brokers.length
      ? new KafkaTransport({ brokers, clientId: `seq-${namespace}`, logger, partitions: 3 })
      : new InProcessTransport();
    await transport.connect();
    try {
      await transport.ensureTopics([topic]);
      // Everything written so far (the test above), then more while the relay is stopped.
      const relay1 = startRelay({
        service: 'customers',
        db: database.db,
        engine: database.target.kind,
        transport,
        logger,
        namespace,
        intervalMs: 20,
        batchSize: 7,
      });
      await relay1.flush();
      await relay1.stop();
      for (let i = 0; i < 10; i++) {
        await database.db.transaction().execute(async (tx) => {
          for (const key of CUSTOMERS) await emit(tx, 'CustomerProfileUpdated', { subject: key, data: changed(key, 1000 + i) });
        });
      }
      const relay2 = startRelay({
        service: 'customers',
        db: database.db,
        engine: database.target.kind,
        transport,
        logger,
        namespace,
        intervalMs: 20,
        batchSize: 7,
      });
      await relay2.flush();
      await relay2.stop();

      const records = brokers.length
        ? await readKafkaTopics(brokers, { topics: [topic], idleMs: 4_000 })
        : await readTopics(transport, { topics: [topic], idleMs: 500 });
      const expected = await sequencesByKey(database.db);
      const received = new Map<string, { partition: number; seq: number }[]>();
      for (const r of records) {
        const event = JSON.parse(r.value) as { subject: string; sequence: string };
        expect(event.subject).toBe(r.key);
        received.set(r.key, [...(received.get(r.key) ?? []), { partition: r.partition, seq: Number(event.sequence) }]);
      }
      for (const key of CUSTOMERS) {
        const got = received.get(key) ?? [];
        const want = expected.get(`${topicOf('customers')}/${key}`) ?? [];
        expect(want.length).toBeGreaterThan(10);
        // Every event once (the relays marked what they sent), in sequence order, on the key's partition.
        expect(
          got.map((g) => g.seq),
          key,
        ).toEqual(want);
        expect(new Set(got.map((g) => g.partition)), key).toEqual(new Set([brokers.length ? partitionOfKey(key, 3) : 0]));
      }
    } finally {
      await transport.close();
    }
  }, 180_000);
});
