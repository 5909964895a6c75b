import {
  createConsumer,
  createEvent,
  type EventTables,
  emit,
  emitMany,
  eventOperationsMigrations,
  eventTablesMigration,
  InProcessTransport,
  type ReceivedMessage,
  startRelay,
  type Transport,
  type TransportMessage,
  withCorrelationId,
} from '@crm/events';
import { type Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../src/db.ts';
import { createLogger } from '../src/logger.ts';
import { eventually, openTestDatabase } from '../src/testing/index.ts';

interface DB extends EventTables {
  note: { id: string; customer_id: string };
}

const migrations = {
  '0000_event_tables': eventTablesMigration,
  ...eventOperationsMigrations,
  '0001_note': {
    // biome-ignore lint/suspicious/noExplicitAny: migration against an untyped database
    up: async (db: Kysely<any>) => {
      await db.schema
        .createTable('note')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('customer_id', 'text', (c) => c.notNull())
        .execute();
    },
  },
};

const logger = createLogger('test', 'silent');

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

/** A transport whose broker is "down" until switched back on: the boundary where outages happen. */
class FlakyTransport extends InProcessTransport {
  down = true;
  override async publish(topic: string, messages: TransportMessage[]): Promise<void> {
    if (this.down) throw new Error('broker unavailable');
    return super.publish(topic, messages);
  }
}

describe('outbox, relay and inbox consumer on a real database', () => {
  let database: Database<DB>;
  let db: Kysely<DB>;
  beforeEach(async () => {
    database = await openTestDatabase<DB>('kit', migrations);
    db = database.db;
  });
  afterEach(async () => {
    await database.close();
  });

  const pending = async () =>
    Number(
      (
        await db
          .selectFrom('event_outbox')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('published_at', 'is', null)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('writes the event only when the domain change commits', async () => {
    await db.transaction().execute(async (tx) => {
      await tx.insertInto('note').values({ id: 'n1', customer_id: 'c1' }).execute();
      await emit(tx, 'CustomerRegistered', { subject: 'c1', data: data('c1') });
    });
    await expect(
      db.transaction().execute(async (tx) => {
        await tx.insertInto('note').values({ id: 'n2', customer_id: 'c2' }).execute();
        await emit(tx, 'CustomerRegistered', { subject: 'c2', data: data('c2') });
        throw new Error('rule failed after the insert');
      }),
    ).rejects.toThrow('rule failed');
    const rows = await db.selectFrom('event_outbox').select(['key', 'topic', 'type']).execute();
    expect(rows).toEqual([{ key: 'c1', topic: 'crm.customers.v1', type: 'crm.customers.CustomerRegistered.v1' }]);
  });

  it('writes many events in batches, each a valid CloudEvent carrying the correlation id', async () => {
    const ids = Array.from({ length: 1001 }, (_, i) => `c${i}`);
    await withCorrelationId('run-42', () =>
      db.transaction().execute((tx) =>
        emitMany(
          tx,
          ids.map((id) => ({ name: 'CustomerRegistered' as const, subject: id, data: data(id) })),
          new Date('2026-11-23T00:00:00Z'),
        ),
      ),
    );
    const rows = await db.selectFrom('event_outbox').select(['key', 'event']).orderBy('seq').execute();
    expect(rows).toHaveLength(1001);
    expect(rows[1000]?.key).toBe('c1000');
    expect(rows[0]?.event).toMatchObject({
      specversion: '1.0',
      correlationid: 'run-42',
      time: '2026-11-23T00:00:00.000Z',
      data: { customerId: 'c0', industry: null },
    });
  });

  it('publishes in commit order and loses nothing while the broker is down', async () => {
    const transport = new FlakyTransport();
    const received: ReceivedMessage[] = [];
    await transport.subscribe({ groupId: 'probe', topics: ['crm.customers.v1'], handle: async (m) => void received.push(m) });
    for (const id of ['a', 'b', 'c']) {
      await db.transaction().execute((tx) => emit(tx, 'CustomerRegistered', { subject: id, data: data(id) }));
    }
    const relay = startRelay({ service: 'customers', db, engine: database.target.kind, transport, logger, intervalMs: 20 });
    await expect(relay.flush()).rejects.toThrow('broker unavailable');
    expect(await pending()).toBe(3);
    transport.down = false;
    await eventually(async () => ((await pending()) === 0 ? true : undefined));
    await relay.stop();
    expect(received.map((m) => m.key)).toEqual(['a', 'b', 'c']);
    expect(JSON.parse(received[0]?.value ?? '{}')).toMatchObject({ specversion: '1.0', subject: 'a', data: { displayName: 'Customer a' } });
  });

  it('gives a redelivered event no second effect (inbox)', async () => {
    const consumer = createConsumer<DB>({
      service: 'engagement',
      db,
      transport: new InProcessTransport(),
      logger,
      handlers: {
        CustomerRegistered: async (tx, event) => {
          await tx
            .insertInto('note')
            .values({ id: `note-${event.id}`, customer_id: event.data.customerId })
            .execute();
        },
      },
    });
    const event = createEvent('CustomerRegistered', { subject: 'c9', data: data('c9') });
    const message = { topic: 'crm.customers.v1', key: 'c9', value: JSON.stringify(event) };
    await consumer.handle(message);
    await consumer.handle(message);
    const notes = await db.selectFrom('note').selectAll().execute();
    expect(notes).toEqual([{ id: `note-${event.id}`, customer_id: 'c9' }]);
    const inbox = await db.selectFrom('event_inbox').select(['event_id', 'type']).execute();
    expect(inbox).toEqual([{ event_id: event.id, type: 'crm.customers.CustomerRegistered.v1' }]);
  });

  it('retries a failing handler with backoff, rolls back each try, then dead-letters the event', async () => {
    const transport: Transport = new InProcessTransport();
    const dlq: ReceivedMessage[] = [];
    await transport.subscribe({ groupId: 'dlq-probe', topics: ['crm.dlq.engagement.v1'], handle: async (m) => void dlq.push(m) });
    let attempts = 0;
    const consumer = createConsumer<DB>({
      service: 'engagement',
      db,
      transport,
      logger,
      maxAttempts: 3,
      initialBackoffMs: 5,
      handlers: {
        CustomerRegistered: async (tx, event) => {
          attempts++;
          await tx
            .insertInto('note')
            .values({ id: `try-${attempts}`, customer_id: event.data.customerId })
            .execute();
          throw new Error('downstream rule keeps failing');
        },
      },
    });
    const event = createEvent('CustomerRegistered', { subject: 'c5', data: data('c5') });
    await consumer.handle({ topic: 'crm.customers.v1', key: 'c5', value: JSON.stringify(event) });
    expect(attempts).toBe(3);
    expect(await db.selectFrom('note').selectAll().execute()).toEqual([]);
    expect(await db.selectFrom('event_inbox').selectAll().execute()).toEqual([]);
    const dead = await db.selectFrom('event_dead_letter').select(['event_id', 'attempts', 'error']).execute();
    expect(dead).toEqual([{ event_id: event.id, attempts: 3, error: 'downstream rule keeps failing' }]);
    expect(dlq.map((m) => [m.key, m.headers?.['x-error']])).toEqual([['c5', 'downstream rule keeps failing']]);
  });

  it('masks personal data in the dead-letter row and keeps the event whole on the dead-letter topic', async () => {
    const transport: Transport = new InProcessTransport();
    const dlq: ReceivedMessage[] = [];
    await transport.subscribe({ groupId: 'dlq-probe-2', topics: ['crm.dlq.credit.v1'], handle: async (m) => void dlq.push(m) });
    const consumer = createConsumer<DB>({
      service: 'credit',
      db,
      transport,
      logger,
      maxAttempts: 1,
      handlers: {
        CustomerRegistered: async () => {
          throw Object.assign(new Error('duplicate key value violates unique constraint'), { detail: 'Key (national_id)=(SN-1987-55501) already exists.' });
        },
      },
    });
    const event = createEvent('CustomerRegistered', { subject: 'c9', data: { ...data('c9'), displayName: 'Aminata Diallo', birthDate: '1987-04-12' } });
    await consumer.handle({ topic: 'crm.customers.v1', key: 'c9', value: JSON.stringify(event) });
    const [row] = await db.selectFrom('event_dead_letter').select(['payload', 'error']).where('event_id', '=', event.id).execute();
    expect(row?.payload).not.toContain('Aminata');
    expect(row?.payload).not.toContain('1987-04-12');
    expect(JSON.parse(row?.payload ?? '{}').data.customerId).toBe('c9');
    expect(row?.error).not.toContain('SN-1987-55501');
    expect(row?.error).toContain('national_id');
    expect(dlq[0]?.value).toBe(JSON.stringify(event));
  });

  it('dead-letters a message that is not a valid event instead of skipping it', async () => {
    const consumer = createConsumer<DB>({
      service: 'loyalty',
      db,
      transport: new InProcessTransport(),
      logger,
      handlers: { CustomerRegistered: async () => {} },
    });
    await consumer.handle({ topic: 'crm.customers.v1', key: 'x', value: '{"specversion":"1.0"}' });
    const dead = await db.selectFrom('event_dead_letter').select(['event_id', 'attempts']).execute();
    expect(dead).toEqual([{ event_id: 'unparseable', attempts: 1 }]);
  });

  it('stores numeric values exactly (no floating point on the way in or out)', async () => {
    const { rows } = await sql<{ v: string }>`select (0.1::numeric + 0.2::numeric) as v, 12345678901234567.89::numeric(20,2) as big`.execute(db);
    expect(rows[0]).toEqual({ v: '0.3', big: '12345678901234567.89' });
  });
});

describe('database engines agree on types', () => {
  it('returns numeric, bigint and date as strings and timestamps as Date', async () => {
    const database = await openTestDatabase<DB>('types', migrations);
    try {
      const { rows } = await sql<{
        n: unknown;
        b: unknown;
        d: unknown;
        t: unknown;
      }>`select 1.50::numeric as n, 9007199254740993::bigint as b, '2024-02-29'::date as d, now() as t`.execute(database.db);
      expect(rows[0]?.n).toBe('1.50');
      expect(rows[0]?.b).toBe('9007199254740993');
      expect(rows[0]?.d).toBe('2024-02-29');
      expect(rows[0]?.t).toBeInstanceOf(Date);
    } finally {
      await database.close();
    }
  });
});
