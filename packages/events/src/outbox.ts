import type { EventInput, EventName } from './catalogue/index.ts';
import { definitionOfType, topicOf } from './catalogue/index.ts';
import { currentCorrelationId } from './correlation.ts';
import { createEvent, type DomainEvent } from './envelope.ts';
import { type AnyDb, eventTables } from './tables.ts';

/** Rows per INSERT when many events are written at once (well under PostgreSQL's parameter limit). */
const OUTBOX_BATCH = 1000;

/**
 * Writes built events into the outbox, in the caller's transaction: the domain change and its
 * events commit together or not at all; the relay publishes them afterwards. Events without a
 * correlation id get the current one.
 */
export async function writeToOutbox(tx: AnyDb, events: readonly DomainEvent<EventName>[]): Promise<void> {
  const correlationId = currentCorrelationId();
  for (let i = 0; i < events.length; i += OUTBOX_BATCH) {
    const rows = events.slice(i, i + OUTBOX_BATCH).map((event) => {
      const def = definitionOfType(event.type);
      if (!def) throw new Error(`Event type ${event.type} is not in the catalogue`);
      const envelope = event.correlationid || !correlationId ? event : { ...event, correlationid: correlationId };
      return { id: event.id, topic: topicOf(def.producer), key: event.subject, type: event.type, event: JSON.stringify(envelope) };
    });
    await eventTables(tx).insertInto('event_outbox').values(rows).execute();
  }
}

/** Writes one event of the catalogue into the outbox (see writeToOutbox). */
export async function emit<N extends EventName>(tx: AnyDb, name: N, input: { subject: string; data: EventInput<N>; time?: Date }): Promise<DomainEvent<N>> {
  const event = createEvent(name, { ...input, correlationId: currentCorrelationId() });
  await writeToOutbox(tx, [event]);
  return event;
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
