import { Writable } from 'node:stream';
import {
  createConsumer,
  createEvent,
  type EventTables,
  eventOperationsMigrations,
  eventTablesMigration,
  InProcessTransport,
  type ReceivedMessage,
  startRelay,
  type TransportMessage,
} from '@crm/events';
import { type Kysely, sql } from 'kysely';
import pino from 'pino';
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

/** A logger that keeps its lines, to check what an operator would read. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

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

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('every event is accounted for', () => {
  let database: Database<DB>;
  let db: Kysely<DB>;
  beforeEach(async () => {
    database = await openTestDatabase<DB>('faults', migrations);
    db = database.db;
  });
  afterEach(async () => {
    await database.close();
  });

  const deadLetters = () => db.selectFrom('event_dead_letter').select(['event_id', 'type', 'error', 'attempts']).execute();

  it('dead-letters an event of an unknown type or version with its real id and the reason', async () => {
    const transport = new InProcessTransport();
    const dlq: ReceivedMessage[] = [];
    await transport.subscribe({ groupId: 'dlq-probe', topics: ['crm.dlq.engagement.v1'], handle: async (m) => void dlq.push(m) });
    const consumer = createConsumer<DB>({ service: 'engagement', db, transport, logger, handlers: { CustomerRegistered: async () => {} } });
    const event = { ...createEvent('CustomerRegistered', { subject: 'c1', data: data('c1') }), type: 'crm.customers.CustomerRegistered.v2' };
    await consumer.handle({ topic: 'crm.customers.v1', key: 'c1', value: JSON.stringify(event) });
    const dead = await deadLetters();
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ event_id: event.id, type: 'crm.customers.CustomerRegistered.v2', attempts: 1 });
    expect(dead[0]?.error).toMatch(/unknown event type/i);
    expect(dlq.map((m) => m.key)).toEqual(['c1']);
  });

  it('records the real id of an invalid event when its JSON has one', async () => {
    const consumer = createConsumer<DB>({
      service: 'loyalty',
      db,
      transport: new InProcessTransport(),
      logger,
      handlers: { CustomerRegistered: async () => {} },
    });
    await consumer.handle({ topic: 'crm.customers.v1', key: 'x', value: '{"specversion":"1.0","id":"evt-123"}' });
    await consumer.handle({ topic: 'crm.customers.v1', key: 'y', value: 'not json at all' });
    const dead = await deadLetters();
    expect(dead.map((d) => d.event_id).sort()).toEqual(['evt-123', 'unparseable']);
  });

  it('skips a known event it has no handler for, with a debug line and no dead letter', async () => {
    const { logger: log, lines } = capturingLogger();
    const consumer = createConsumer<DB>({
      service: 'engagement',
      db,
      transport: new InProcessTransport(),
      logger: log,
      handlers: { CustomerStatusChanged: async () => {} },
    });
    const event = createEvent('CustomerRegistered', { subject: 'c2', data: data('c2') });
    await consumer.handle({ topic: 'crm.customers.v1', key: 'c2', value: JSON.stringify(event) });
    expect(await deadLetters()).toEqual([]);
    expect(lines.some((l) => l.level === 20 && l.eventId === event.id)).toBe(true);
  });

  it('retries transient database errors without limit and without spending the poison budget', async () => {
    let calls = 0;
    const consumer = createConsumer<DB>({
      service: 'engagement',
      db,
      transport: new InProcessTransport(),
      logger,
      maxAttempts: 2,
      initialBackoffMs: 1,
      maxBackoffMs: 5,
      handlers: {
        CustomerRegistered: async (tx, event) => {
          calls++;
          if (calls <= 3) throw pgError('57P01', 'terminating connection due to administrator command');
          if (calls <= 5) throw pgError(calls === 4 ? '40001' : '08006', 'transient');
          await tx.insertInto('note').values({ id: event.id, customer_id: event.data.customerId }).execute();
        },
      },
    });
    const event = createEvent('CustomerRegistered', { subject: 'c3', data: data('c3') });
    await consumer.handle({ topic: 'crm.customers.v1', key: 'c3', value: JSON.stringify(event) });
    expect(calls).toBe(6);
    expect(await deadLetters()).toEqual([]);
    expect(await db.selectFrom('note').select('id').execute()).toEqual([{ id: event.id }]);
  });

  it('does not hold a database transaction open while the relay publishes', async () => {
    for (const id of ['a', 'b']) {
      await db.transaction().execute(async (tx) => {
        await tx.insertInto('note').values({ id, customer_id: id }).execute();
        const event = createEvent('CustomerRegistered', { subject: id, data: data(id) });
        await tx
          .insertInto('event_outbox')
          .values({ id: event.id, topic: 'crm.customers.v1', key: id, type: event.type, event: JSON.stringify(event) })
          .execute();
      });
    }
    const openTransactions: number[] = [];
    const published: string[] = [];
    class ProbingTransport extends InProcessTransport {
      override async publish(topic: string, messages: TransportMessage[]): Promise<void> {
        if (database.target.kind === 'postgres') {
          const { rows } = await sql<{ n: string }>`select count(*) as n from pg_stat_activity
             where datname = current_database() and state like 'idle in transaction%' and query ilike '%event_outbox%'`.execute(db);
          openTransactions.push(Number(rows[0]?.n));
        } else {
          // One connection on PGlite: a relay still inside a transaction would make this wait forever.
          const write = db.updateTable('note').set({ customer_id: 'touched' }).where('id', '=', 'a').execute();
          const timedOut = await Promise.race([write.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 1_500))]);
          openTransactions.push(timedOut ? 1 : 0);
        }
        published.push(...messages.map((m) => m.key));
        return super.publish(topic, messages);
      }
    }
    const relay = startRelay({ service: 'customers', db, engine: database.target.kind, transport: new ProbingTransport(), logger, intervalMs: 60_000 });
    await relay.flush();
    await relay.stop();
    expect(published).toEqual(['a', 'b']);
    expect(openTransactions.every((n) => n === 0)).toBe(true);
    const pending = await db.selectFrom('event_outbox').select('id').where('published_at', 'is', null).execute();
    expect(pending).toEqual([]);
  });

  it('logs each relay backoff with its delay and reports the relay unhealthy until it publishes again', async () => {
    const event = createEvent('CustomerRegistered', { subject: 'r1', data: data('r1') });
    await db
      .insertInto('event_outbox')
      .values({ id: event.id, topic: 'crm.customers.v1', key: 'r1', type: event.type, event: JSON.stringify(event) })
      .execute();
    class Flaky extends InProcessTransport {
      down = true;
      override async publish(topic: string, messages: TransportMessage[]): Promise<void> {
        if (this.down) throw new Error('broker unavailable');
        return super.publish(topic, messages);
      }
    }
    const transport = new Flaky();
    const { logger: log, lines } = capturingLogger();
    const relay = startRelay({ service: 'customers', db, engine: database.target.kind, transport, logger: log, intervalMs: 10, maxBackoffMs: 40 });
    await eventually(async () => (lines.filter((l) => typeof l.delayMs === 'number').length >= 3 ? true : undefined));
    const delays = lines.filter((l) => typeof l.delayMs === 'number').map((l) => l.delayMs as number);
    expect(Math.max(...delays)).toBeLessThanOrEqual(40);
    expect(relay.health().ok).toBe(false);
    transport.down = false;
    await eventually(async () => (relay.health().ok ? true : undefined));
    await relay.stop();
    expect(await db.selectFrom('event_outbox').select('id').where('published_at', 'is', null).execute()).toEqual([]);
  });
});
