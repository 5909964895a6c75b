import { randomBytes } from 'node:crypto';
import {
  createConsumer,
  createEvent,
  type EventTables,
  emit,
  eventOperationsMigrations,
  eventTablesMigration,
  InProcessTransport,
  KafkaTransport,
  outboxChannel,
  type ReceivedMessage,
  startRelay,
  type Transport,
  topicOf,
  withBatchHandler,
} from '@crm/events';
import { type Generated, type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db.ts';
import { createLogger } from '../src/logger.ts';
import { eventually, openTestDatabase } from '../src/testing/index.ts';

/**
 * Events at broker speed (issue 17): consumers handle a delivered batch in one transaction and
 * fall back to one event at a time when it fails; the relay wakes on commit instead of polling.
 * On both engines (PGlite; PostgreSQL with DATABASE_URL), on Kafka when KAFKA_BROKERS is set.
 */
const brokers = process.env.KAFKA_BROKERS?.split(',').filter(Boolean) ?? [];
const logger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');

interface DB extends EventTables {
  note: { n: Generated<string>; event_id: string; customer_id: string; step: number; tx: string };
}

const migrations = {
  '0000_event_tables': eventTablesMigration,
  ...eventOperationsMigrations,
  '0001_note': {
    // biome-ignore lint/suspicious/noExplicitAny: migration against an untyped database
    up: async (db: Kysely<any>) => {
      await sql`create table note (n bigint generated always as identity primary key, event_id text not null, customer_id text not null, step integer not null, tx text not null)`.execute(
        db,
      );
    },
  },
};

const registered = (customerId: string, step: number) =>
  createEvent('CustomerRegistered', {
    subject: customerId,
    data: {
      customerId,
      kind: 'INDIVIDUAL',
      displayName: `Customer ${customerId} #${step}`,
      status: 'ACTIVE',
      branchId: 'BR-1',
      relationshipManagerId: null,
      birthDate: null,
      registeredAt: '2026-11-23T10:00:00.000Z',
    },
  });

describe('consumer batches', () => {
  const namespace = `b${randomBytes(4).toString('hex')}`;
  let database: Database<DB>;
  let transport: Transport;
  beforeAll(async () => {
    database = await openTestDatabase<DB>('batches', migrations);
    transport = brokers.length ? new KafkaTransport({ brokers, clientId: `batches-${namespace}`, logger, partitions: 3 }) : new InProcessTransport();
    await transport.connect();
  }, 120_000);
  afterAll(async () => {
    await transport?.close();
    await database?.close();
  });

  it(`apply many events in one transaction; a failing one is retried alone and dead-lettered; redelivery has no effect (${brokers.length ? 'Kafka' : 'in-process'})`, async () => {
    const db = database.db;
    const calls = new Map<string, number>();
    let poisonous = true;
    const consumer = createConsumer<DB>({
      service: 'engagement',
      db,
      transport,
      logger,
      namespace,
      maxAttempts: 3,
      initialBackoffMs: 5,
      maxBackoffMs: 20,
      handlers: {
        CustomerRegistered: async (tx, event) => {
          calls.set(event.id, (calls.get(event.id) ?? 0) + 1);
          const step = Number(event.data.displayName.split('#')[1]);
          const { rows } = await sql<{ tx: string }>`select txid_current()::text as tx`.execute(tx);
          await tx
            .insertInto('note')
            .values({ event_id: event.id, customer_id: event.data.customerId, step, tx: rows[0]?.tx ?? '' })
            .execute();
          if (poisonous && event.subject === 'poison') throw new Error('this event can never be handled');
        },
      },
    });
    const dlq: ReceivedMessage[] = [];
    const dlqTopic = `${namespace}.crm.dlq.engagement.v1`;
    await transport.ensureTopics([topicOf('customers', namespace), dlqTopic]);
    const probe = await transport.subscribe({ groupId: `${namespace}.dlq-probe`, topics: [dlqTopic], handle: async (m) => void dlq.push(m) });
    // 3 customers × 10 events each, interleaved, and one poison in the middle.
    const keys = ['k-a', 'k-b', 'k-c'];
    const events = Array.from({ length: 30 }, (_, i) => registered(keys[i % 3] as string, Math.floor(i / 3)));
    const poison = registered('poison', 0);
    const all = [...events.slice(0, 15), poison, ...events.slice(15)];
    const messages = all.map((e) => ({ key: e.subject, value: JSON.stringify(e) }));
    const topic = topicOf('customers', namespace);
    await consumer.start();
    try {
      // A clean batch first: one transaction for all its events.
      const clean = Array.from({ length: 12 }, (_, i) => registered('k-clean', i));
      await consumer.handleBatch(clean.map((e) => ({ topic, key: e.subject, value: JSON.stringify(e) })));
      const cleanTx = await db.selectFrom('note').select('tx').distinct().where('customer_id', '=', 'k-clean').execute();
      expect(cleanTx).toHaveLength(1);

      await transport.publish(topic, messages);
      await eventually(async () => ((await db.selectFrom('event_dead_letter').select('event_id').execute()).length === 1 ? true : undefined), 60_000);
      // Each applied once (the failed batch's tries were rolled back with it).
      const applied = async () => (await db.selectFrom('note').select('event_id').where('customer_id', 'in', keys).execute()).map((n) => n.event_id);
      await eventually(async () => ((await applied()).length === events.length ? true : undefined), 60_000);
      expect((await applied()).sort()).toEqual(events.map((e) => e.id).sort());
      const callsBefore = new Map(calls);
      const dead = await db.selectFrom('event_dead_letter').select(['event_id', 'attempts']).execute();
      expect(dead).toEqual([{ event_id: poison.id, attempts: 3 }]);
      await eventually(async () => (dlq.length === 1 ? true : undefined), 30_000);
      expect(dlq[0]?.headers?.['x-event-id']).toBe(poison.id);

      // Redelivery of the whole batch (the poison now handled): the others have no second effect.
      poisonous = false;
      await transport.publish(topic, messages);
      await eventually(
        async () => ((await db.selectFrom('note').select('event_id').where('customer_id', '=', 'poison').execute()).length === 1 ? true : undefined),
        60_000,
      );
      for (const e of events) expect(calls.get(e.id), e.id).toBe(callsBefore.get(e.id));
      const notes = await db.selectFrom('note').select(['event_id', 'customer_id', 'step']).where('customer_id', 'in', keys).orderBy('n').execute();
      expect(notes.map((n) => n.event_id).sort()).toEqual(events.map((e) => e.id).sort());
      // Per key, in publish order.
      for (const key of keys) {
        expect(notes.filter((n) => n.customer_id === key).map((n) => n.step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      }
      const inbox = await db.selectFrom('event_inbox').select('event_id').execute();
      expect(inbox).toHaveLength(12 + 31);
    } finally {
      await consumer.stop();
      await probe.stop();
    }
  }, 180_000);
});

const profileUpdated = (customerId: string, step: number) =>
  createEvent('CustomerProfileUpdated', {
    subject: customerId,
    data: {
      customerId,
      changes: [{ field: 'displayName', oldValue: null, newValue: `Customer ${customerId} #${step}` }],
      updatedBy: 'officer-1',
      updatedAt: '2026-11-23T10:00:00.000Z',
    },
  });

describe('set-based batch handlers (withBatchHandler)', () => {
  let database: Database<DB>;
  beforeAll(async () => {
    database = await openTestDatabase<DB>('batch_handlers', migrations);
  }, 120_000);
  afterAll(async () => {
    await database?.close();
  });

  it('get the new events of a type at once, each key in order; a failing batch falls back to the one-event handler', async () => {
    const db = database.db;
    const stepOf = (name: string) => Number(name.split('#')[1]);
    const note = (tx: Kysely<DB>, rows: { event_id: string; customer_id: string; step: number }[]) =>
      tx
        .insertInto('note')
        .values(rows.map((r) => ({ ...r, tx: 'x' })))
        .execute();
    const groups: string[][] = [];
    const one: string[] = [];
    const poisonous = true;
    const consumer = createConsumer<DB>({
      service: 'engagement',
      db,
      transport: new InProcessTransport(),
      logger,
      maxAttempts: 2,
      initialBackoffMs: 5,
      maxBackoffMs: 10,
      handlers: {
        CustomerRegistered: withBatchHandler(
          async (tx, event) => {
            one.push(event.id);
            if (poisonous && event.subject === 'poison') throw new Error('never handled');
            await note(tx, [{ event_id: event.id, customer_id: event.data.customerId, step: stepOf(event.data.displayName) }]);
          },
          async (tx, events, context) => {
            groups.push(events.map((e) => e.id));
            if (poisonous && events.some((e) => e.subject === 'poison')) throw new Error('never handled');
            await note(
              tx,
              events.map((e) => ({ event_id: e.id, customer_id: e.data.customerId, step: stepOf(e.data.displayName) })),
            );
            // Emitted as the handling of its event: its correlation id.
            for (const e of events) await context.as(e, () => emit(tx, 'CustomerRegistered', { subject: `echo-${e.subject}`, data: e.data }));
          },
        ),
        CustomerProfileUpdated: async (tx, event) => {
          const change = event.data.changes[0];
          await note(tx, [{ event_id: event.id, customer_id: event.data.customerId, step: stepOf(String(change?.newValue)) }]);
        },
      },
    });
    const topic = 'crm.customers.v1';
    const message = (e: { subject?: string | undefined }) => ({ topic, key: e.subject ?? '', value: JSON.stringify(e) });
    // a: registered, updated, registered again; b: registered; c: updated, registered. Plus a duplicate.
    const events = [
      registered('a', 0),
      registered('b', 1),
      profileUpdated('a', 2),
      profileUpdated('c', 3),
      registered('a', 4),
      registered('c', 5),
      registered('d', 6),
    ];
    const done = registered('e', 7);
    await consumer.handle(message(done));
    await consumer.handleBatch([...events, done, events[1] as (typeof events)[number]].map(message));
    // a4 must follow a2 and c5 must follow c3 (updates, one at a time): a0 b1 d6 at once, a2, c3, then a4 c5 at once.
    expect(groups).toEqual([
      [events[0]?.id, events[1]?.id, events[6]?.id],
      [events[4]?.id, events[5]?.id],
    ]);
    expect(one).toEqual([done.id]);
    const notes = await db.selectFrom('note').select(['customer_id', 'step']).where('customer_id', 'in', ['a', 'b', 'c', 'd', 'e']).orderBy('n').execute();
    const steps = (key: string) => notes.filter((n) => n.customer_id === key).map((n) => n.step);
    expect([steps('a'), steps('b'), steps('c'), steps('d'), steps('e')]).toEqual([[0, 2, 4], [1], [3, 5], [6], [7]]);
    const echoes = await db.selectFrom('event_outbox').select(['key', 'event']).where('key', 'like', 'echo-%').execute();
    expect(echoes).toHaveLength(5);
    for (const row of echoes) {
      const echo = (typeof row.event === 'string' ? JSON.parse(row.event) : row.event) as { correlationid?: string; data: { displayName: string } };
      const source = events.find((x) => `echo-${x.subject}` === row.key && 'displayName' in x.data && echo.data.displayName === x.data.displayName);
      expect(source).toBeDefined();
      expect(echo.correlationid).toBe(source?.correlationid ?? source?.id);
    }

    // A batch the set-based handler fails on: rolled back whole, then each event alone through the one-event handler.
    const next = [registered('f', 0), registered('poison', 0), registered('g', 0)];
    groups.length = 0;
    one.length = 0;
    await consumer.handleBatch(next.map(message));
    expect(groups).toEqual([next.map((e) => e.id)]);
    expect(one).toEqual([next[0]?.id, next[1]?.id, next[1]?.id, next[2]?.id]);
    const applied = await db.selectFrom('note').select('customer_id').where('customer_id', 'in', ['f', 'poison', 'g']).execute();
    expect(applied.map((n) => n.customer_id).sort()).toEqual(['f', 'g']);
    expect(
      await db
        .selectFrom('event_dead_letter')
        .select('event_id')
        .where('event_id', '=', next[1]?.id ?? '')
        .execute(),
    ).toHaveLength(1);
  }, 120_000);
});

describe('the relay wakes on commit', () => {
  let database: Database<DB>;
  beforeAll(async () => {
    database = await openTestDatabase<DB>('relay_wake', migrations);
  }, 120_000);
  afterAll(async () => {
    await database?.close();
  });

  it('publishes an event committed long before its safety poll', async () => {
    const transport = new InProcessTransport();
    const received: { at: number; value: string }[] = [];
    await transport.subscribe({ groupId: 'probe', topics: ['crm.customers.v1'], handle: async (m) => void received.push({ at: Date.now(), value: m.value }) });
    const listen = database.listen;
    expect(listen).toBeDefined();
    const relay = startRelay({
      service: 'customers',
      db: database.db,
      engine: database.target.kind,
      transport,
      logger,
      intervalMs: 60_000,
      listen: (wake) => (listen as NonNullable<typeof listen>)(outboxChannel(database.target.schema), wake),
    });
    try {
      await relay.flush();
      // The first poll has run; the next is a minute away.
      await new Promise((r) => setTimeout(r, 300));
      for (let i = 0; i < 3; i++) {
        const committedAt = Date.now();
        await database.db.transaction().execute((tx) => emit(tx, 'CustomerRegistered', { subject: `w-${i}`, data: registered(`w-${i}`, i).data }));
        const got = await eventually(async () => received.find((r) => r.value.includes(`"w-${i}"`)), 10_000, 10);
        expect(got.at - committedAt).toBeLessThan(5_000);
      }
      // A rolled-back write wakes nothing and publishes nothing.
      await database.db
        .transaction()
        .execute(async (tx) => {
          await emit(tx, 'CustomerRegistered', { subject: 'w-rolled-back', data: registered('w-rolled-back', 9).data });
          throw new Error('roll back');
        })
        .catch(() => undefined);
      await new Promise((r) => setTimeout(r, 500));
      expect(received.some((r) => r.value.includes('w-rolled-back'))).toBe(false);
    } finally {
      await relay.stop();
    }
  }, 120_000);
});
