import { type DomainEvent, type EventName, eventTables, topicOf } from '@crm/events';
import type { Kysely } from 'kysely';
import type { DB } from './schema.ts';

/**
 * The transactional outbox for many credit events at once (end-of-day runs): the envelopes
 * `createEvent` built, written with one INSERT per thousand events instead of one per event.
 */
export async function emitAll(tx: Kysely<DB>, events: DomainEvent<EventName>[]): Promise<number> {
  for (let i = 0; i < events.length; i += 1000) {
    const rows = events.slice(i, i + 1000).map((event) => ({
      id: event.id,
      topic: topicOf('credit'),
      key: event.subject,
      type: event.type,
      event: JSON.stringify(event),
    }));
    await eventTables(tx).insertInto('event_outbox').values(rows).execute();
  }
  return events.length;
}
