import type { EventInput, EventName } from './catalogue/index.ts';
import { catalogue, topicOf } from './catalogue/index.ts';
import { currentCorrelationId } from './correlation.ts';
import { createEvent, type DomainEvent } from './envelope.ts';
import { type AnyDb, eventTables } from './tables.ts';

/**
 * Writes an event into the outbox. Call it with the transaction that makes the domain change:
 * both commit together or neither does. The relay publishes it afterwards.
 */
export async function emit<N extends EventName>(tx: AnyDb, name: N, input: { subject: string; data: EventInput<N>; time?: Date }): Promise<DomainEvent<N>> {
  const event = createEvent(name, { ...input, correlationId: currentCorrelationId() });
  await eventTables(tx)
    .insertInto('event_outbox')
    .values({
      id: event.id,
      topic: topicOf(catalogue[name].producer),
      key: event.subject,
      type: event.type,
      event: JSON.stringify(event),
    })
    .execute();
  return event;
}
