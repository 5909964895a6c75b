import { AsyncLocalStorage } from 'node:async_hooks';
import { sql } from 'kysely';
import type { EventInput, EventName } from './catalogue/index.ts';
import { definitionOfType, topicOfDefinition } from './catalogue/index.ts';
import { currentCorrelationId } from './correlation.ts';
import { createEvent, type DomainEvent } from './envelope.ts';
import { stateRecordsFor } from './state.ts';
import { type AnyDb, eventTables } from './tables.ts';
import { inSpan, traceContextOf } from './tracing.ts';

/** Rows per INSERT when many events are written at once (well under PostgreSQL's parameter limit). */
const OUTBOX_BATCH = 1000;

/**
 * Writes built events into the outbox, in the caller's transaction: the domain change and its
 * events commit together or not at all; the relay publishes them afterwards. Events without a
 * correlation id get the current one. The state records of the aggregates the events change
 * follow them (see state.ts), and every row gets its aggregate sequence (the CloudEvents
 * `sequence`: per topic and key, from `event_sequence`, upserted here, in the same transaction).
 * Returns the events as written.
 */
export async function writeToOutbox(tx: AnyDb, events: readonly DomainEvent<EventName>[]): Promise<DomainEvent<EventName>[]> {
  const buffer = deferred.getStore();
  if (buffer && buffer.tx === tx) {
    // Written with the rest of the batch (see deferOutboxWrites); trace and correlation as of now.
    const traced = traceContextOf();
    const correlationId = currentCorrelationId();
    for (const event of events) {
      buffer.events.push({
        ...event,
        ...(event.traceparent || !traced.traceparent ? {} : traced),
        ...(event.correlationid || !correlationId ? {} : { correlationid: correlationId }),
      });
    }
    return [...events];
  }
  // Traced as `outbox write`; events without a `traceparent` get this span's, from which the
  // relay's publish and every consumer's handling continue the trace (see tracing.ts).
  const types = [...new Set(events.map((e) => e.type))].slice(0, 20);
  return inSpan('outbox write', { attributes: { 'crm.event.count': events.length, 'crm.event.types': types } }, async () => {
    const traced = traceContextOf();
    return insertOutboxRows(tx, traced.traceparent ? events.map((event) => (event.traceparent ? event : { ...event, ...traced })) : events);
  });
}

const deferred = new AsyncLocalStorage<{ tx: AnyDb; events: DomainEvent<EventName>[] }>();

/**
 * Runs `fn` (event handlers, in the consumer's transaction `tx`) with the events it writes to
 * `tx`'s outbox kept aside, then writes them all at once, in order, before the transaction
 * commits: one sequence upsert, one read of each changed aggregate's state and one INSERT for a
 * whole batch of handled events instead of three statements per event emitted. Events written
 * this way are returned without their `sequence` (it is given when they are written).
 */
export async function deferOutboxWrites<T>(tx: AnyDb, fn: () => Promise<T>): Promise<T> {
  const buffer = { tx, events: [] as DomainEvent<EventName>[] };
  const result = await deferred.run(buffer, fn);
  if (buffer.events.length) {
    const types = [...new Set(buffer.events.map((e) => e.type))].slice(0, 20);
    await inSpan('outbox write', { attributes: { 'crm.event.count': buffer.events.length, 'crm.event.types': types } }, () =>
      deferred.exit(() => insertOutboxRows(tx, buffer.events)),
    );
  }
  return result;
}

async function insertOutboxRows(tx: AnyDb, events: readonly DomainEvent<EventName>[]): Promise<DomainEvent<EventName>[]> {
  const correlationId = currentCorrelationId();
  const all = [...events, ...(await stateRecordsFor(tx, events, correlationId))];
  const written: DomainEvent<EventName>[] = [];
  for (let i = 0; i < all.length; i += OUTBOX_BATCH) {
    const batch = all.slice(i, i + OUTBOX_BATCH).map((event) => {
      const def = definitionOfType(event.type);
      if (!def) throw new Error(`Event type ${event.type} is not in the catalogue`);
      const envelope = event.correlationid || !correlationId ? event : { ...event, correlationid: correlationId };
      return { envelope, topic: topicOfDefinition(def), key: event.subject };
    });
    const next = await nextSequences(tx, batch);
    const rows = batch.map(({ envelope, topic, key }) => {
      const sequence = next(topic, key);
      const event = { ...envelope, sequence, sequencetype: 'Integer' as const };
      written.push(event);
      return { id: event.id, topic, key, type: event.type, event: JSON.stringify(event) };
    });
    await eventTables(tx).insertInto('event_outbox').values(rows).execute();
  }
  return written;
}

/**
 * Reserves the next sequence numbers of every (topic, key) in the batch with one upsert, keys in
 * a fixed order (so two transactions lock them in the same order); the row lock it takes holds
 * until commit, so per key sequences follow commit order and committed ones have no gaps.
 */
async function nextSequences(tx: AnyDb, batch: readonly { topic: string; key: string }[]): Promise<(topic: string, key: string) => string> {
  const counts = new Map<string, { topic: string; key: string; n: number }>();
  for (const { topic, key } of batch) {
    const id = JSON.stringify([topic, key]);
    const c = counts.get(id) ?? { topic, key, n: 0 };
    c.n++;
    counts.set(id, c);
  }
  const values = [...counts.values()].sort((a, b) => (a.topic === b.topic ? (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) : a.topic < b.topic ? -1 : 1));
  const rows = await eventTables(tx)
    .insertInto('event_sequence')
    .values(values.map((v) => ({ topic: v.topic, key: v.key, seq: v.n })))
    .onConflict((oc) => oc.columns(['topic', 'key']).doUpdateSet({ seq: sql`event_sequence.seq + excluded.seq` }))
    .returning(['topic', 'key', 'seq'])
    .execute();
  const next = new Map<string, bigint>();
  for (const r of rows) {
    const id = JSON.stringify([r.topic, r.key]);
    next.set(id, BigInt(r.seq) - BigInt(counts.get(id)?.n ?? 0) + 1n);
  }
  return (topic, key) => {
    const id = JSON.stringify([topic, key]);
    const seq = next.get(id);
    if (seq === undefined) throw new Error(`no sequence reserved for ${id}`);
    next.set(id, seq + 1n);
    return seq.toString();
  };
}

/** Writes one event of the catalogue into the outbox (see writeToOutbox). */
export async function emit<N extends EventName>(tx: AnyDb, name: N, input: { subject: string; data: EventInput<N>; time?: Date }): Promise<DomainEvent<N>> {
  const event = createEvent(name, { ...input, correlationId: currentCorrelationId() });
  const [written] = await writeToOutbox(tx, [event]);
  return (written ?? event) as DomainEvent<N>;
}

/** An event to emit: its name, the customer it is about, and its data. */
export interface PendingEvent<N extends EventName = EventName> {
  name: N;
  subject: string;
  data: EventInput<N>;
}

/** Writes many events at once (scheduled runs): one INSERT per thousand events, not one each. */
export async function emitMany(tx: AnyDb, events: readonly PendingEvent[], time?: Date): Promise<void> {
  const correlationId = currentCorrelationId();
  await writeToOutbox(
    tx,
    events.map((e) => createEvent(e.name, { subject: e.subject, data: e.data, correlationId, ...(time ? { time } : {}) })),
  );
}
