import {
  createConsumer,
  createEvent,
  type EventHandlers,
  type EventTables,
  emit,
  eventOperationsMigrations,
  eventTablesMigration,
  InProcessTransport,
  listDeadLetters,
  outboxLag,
  outboxLagSeconds,
  purgeEventTables,
  ReplayError,
  replayAllDeadLetters,
  replayDeadLetter,
  republishOutbox,
  showDeadLetter,
  startRelay,
  topicOf,
} from '@crm/events';
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../src/db.ts';
import { eventRetentionFromEnv, eventRetentionJob, migrateEventOperations } from '../src/event-operations.ts';
import { createLogger } from '../src/logger.ts';
import { eventually, openTestDatabase } from '../src/testing/index.ts';

interface DB extends EventTables {
  note: { id: string; customer_id: string };
}

const migrations = {
  '0000_event_tables': eventTablesMigration,
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
const DAY = 24 * 60 * 60 * 1000;

const registered = (customerId: string) =>
  createEvent('CustomerRegistered', {
    subject: customerId,
    data: {
      customerId,
      kind: 'INDIVIDUAL',
      displayName: 'Amina Diallo',
      status: 'ACTIVE',
      branchId: 'BR-1',
      relationshipManagerId: 'rm-1',
      birthDate: null,
      registeredAt: '2026-11-23T10:00:00.000Z',
    },
  });

describe('event operations: dead-letter replay, re-publish, retention, lag', () => {
  let database: Database<DB>;
  let db: Kysely<DB>;
  beforeEach(async () => {
    database = await openTestDatabase<DB>('ops', migrations);
    // As the runtime does: the event migrations on top of a service's own list (twice: idempotent).
    await migrateEventOperations(database);
    await eventOperationsMigrations['0001_event_operations']?.up(database.db);
    db = database.db;
  });
  afterEach(async () => {
    await database.close();
  });

  let broken = true;
  const handlers: EventHandlers<DB> = {
    CustomerRegistered: async (tx, event) => {
      if (broken) throw new Error('downstream rule keeps failing');
      await tx
        .insertInto('note')
        .values({ id: `note-${event.id}`, customer_id: event.data.customerId })
        .execute();
    },
  };

  async function deadLetterOne(customerId: string) {
    broken = true;
    const consumer = createConsumer<DB>({ service: 'engagement', db, transport: new InProcessTransport(), handlers, logger, maxAttempts: 1 });
    const event = registered(customerId);
    await consumer.handle({ topic: topicOf('customers'), key: customerId, value: JSON.stringify(event) });
    return event;
  }

  it('keeps the raw event for replay only, masked for people; replay goes through the inbox and marks the row', async () => {
    const event = await deadLetterOne('c1');
    const [listed] = await listDeadLetters(db);
    expect(listed).toMatchObject({ eventId: event.id, type: event.type, attempts: 1, replayedAt: null, replayable: true });
    expect(JSON.stringify(listed)).not.toContain('Amina');
    const shown = await showDeadLetter(db, listed?.id ?? '');
    expect(JSON.stringify(shown)).not.toContain('Amina');
    expect((shown?.payload as { data: { displayName: string } } | undefined)?.data.displayName).toMatch(/^\*+lo$/);

    await expect(replayDeadLetter(db, handlers, listed?.id ?? '')).rejects.toThrow('downstream rule keeps failing');
    expect(await db.selectFrom('event_inbox').selectAll().execute()).toEqual([]);
    broken = false;
    expect(await replayDeadLetter(db, handlers, listed?.id ?? '')).toBe('handled');
    expect(await db.selectFrom('note').selectAll().execute()).toEqual([{ id: `note-${event.id}`, customer_id: 'c1' }]);
    const row = await db.selectFrom('event_dead_letter').select(['raw_payload', 'replayed_at']).executeTakeFirstOrThrow();
    expect(row.raw_payload).toBeNull();
    expect(row.replayed_at).toBeInstanceOf(Date);
    expect(await listDeadLetters(db)).toEqual([]);
    expect(await listDeadLetters(db, { includeReplayed: true })).toHaveLength(1);
    await expect(replayDeadLetter(db, handlers, listed?.id ?? '')).rejects.toBeInstanceOf(ReplayError);
  });

  it('replays all: an event handled meanwhile is a duplicate with no second effect', async () => {
    const first = await deadLetterOne('c1');
    await deadLetterOne('c2');
    await db.insertInto('event_inbox').values({ event_id: first.id, type: first.type, source: first.source }).execute();
    broken = false;
    const results = await replayAllDeadLetters(db, handlers);
    expect(results.map((r) => r.outcome)).toEqual(['duplicate', 'handled']);
    expect(await db.selectFrom('note').select('customer_id').execute()).toEqual([{ customer_id: 'c2' }]);
    expect(await listDeadLetters(db)).toEqual([]);
  });

  it('re-publishes outbox rows in a range and reports the outbox lag', async () => {
    for (const c of ['a', 'b', 'c']) await emit(db, 'CustomerRegistered', { subject: c, data: registered(c).data });
    expect(await outboxLagSeconds(db, new Date(Date.now() + 10_000))).toBeGreaterThanOrEqual(9);
    await db.updateTable('event_outbox').set({ published_at: new Date() }).execute();
    expect(await outboxLagSeconds(db)).toBe(0);
    const seqs = (await db.selectFrom('event_outbox').select('seq').orderBy('seq').execute()).map((r) => String(r.seq));
    expect(await republishOutbox(db, { fromSeq: seqs[1], toSeq: seqs[2] })).toBe(2);
    const pending = await db.selectFrom('event_outbox').select('key').where('published_at', 'is', null).orderBy('seq').execute();
    expect(pending.map((r) => r.key)).toEqual(['b', 'c']);
    await expect(republishOutbox(db, {})).rejects.toThrow('give a range');
  });

  it('the relay samples crm_outbox_lag_seconds while the broker is down', async () => {
    await emit(db, 'CustomerRegistered', { subject: 'z', data: registered('z').data });
    await db
      .updateTable('event_outbox')
      .set({ created_at: new Date(Date.now() - 60_000) })
      .execute();
    const transport = new InProcessTransport();
    transport.publish = async () => {
      throw new Error('broker unavailable');
    };
    const relay = startRelay({ service: 'lagtest', db, engine: 'pglite', transport, logger, intervalMs: 20, lagSampleMs: 10 });
    try {
      const lag = await eventually(async () => {
        const value = (await outboxLag.get()).values.find((v) => v.labels.service === 'lagtest')?.value;
        return value && value >= 60 ? value : undefined;
      }, 5_000);
      expect(lag).toBeLessThan(120);
    } finally {
      await relay.stop();
    }
  });

  it('purges published outbox rows, old inbox ids and replayed dead letters past retention; the job runs it', async () => {
    const now = new Date();
    for (const c of ['old', 'new', 'pending']) await emit(db, 'CustomerRegistered', { subject: c, data: registered(c).data });
    await db
      .updateTable('event_outbox')
      .set({ published_at: new Date(now.getTime() - 8 * DAY) })
      .where('key', '=', 'old')
      .execute();
    await db
      .updateTable('event_outbox')
      .set({ published_at: new Date(now.getTime() - 1 * DAY) })
      .where('key', '=', 'new')
      .execute();
    await db
      .insertInto('event_inbox')
      .values([
        { event_id: 'e-old', type: 't', source: 's', handled_at: new Date(now.getTime() - 31 * DAY) },
        { event_id: 'e-new', type: 't', source: 's', handled_at: new Date(now.getTime() - 8 * DAY) },
      ])
      .execute();
    await deadLetterOne('c9');
    await db
      .updateTable('event_dead_letter')
      .set({ dead_lettered_at: new Date(now.getTime() - 31 * DAY) })
      .execute();

    const job = eventRetentionJob<DB>();
    expect(await job.run({ db, logger, asOf: '2026-12-01', now, progress: async () => {} })).toEqual({
      outbox: 1,
      inbox: 1,
      deadLetterPayloads: 1,
      deadLetters: 0,
    });
    expect((await db.selectFrom('event_outbox').select('key').orderBy('seq').execute()).map((r) => r.key)).toEqual(['new', 'pending']);
    expect((await db.selectFrom('event_inbox').select('event_id').execute()).map((r) => r.event_id)).toEqual(['e-new']);
    expect((await listDeadLetters(db))[0]?.replayable).toBe(false);
    expect(await purgeEventTables(db, now)).toEqual({ outbox: 0, inbox: 0, deadLetterPayloads: 0, deadLetters: 0 });
  });

  it('reads retention from the environment and refuses an inbox shorter than the outbox', () => {
    expect(eventRetentionFromEnv({})).toEqual({ outboxMs: 7 * DAY, inboxMs: 30 * DAY, deadLetterMs: 30 * DAY });
    expect(eventRetentionFromEnv({ EVENTS_OUTBOX_RETENTION_DAYS: '2' }).outboxMs).toBe(2 * DAY);
    expect(() => eventRetentionFromEnv({ EVENTS_OUTBOX_RETENTION_DAYS: '40' })).toThrow('EVENTS_INBOX_RETENTION_DAYS');
    expect(() => eventRetentionFromEnv({ EVENTS_INBOX_RETENTION_DAYS: 'x' })).toThrow('positive number');
  });
});
