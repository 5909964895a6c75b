import type { Kysely } from 'kysely';
import type { Catalogue, EventData, EventInput, EventName, Producer } from './catalogue/index.ts';
import { definitionOfType } from './catalogue/index.ts';
import { createEvent, type DomainEvent } from './envelope.ts';
import type { AnyDb } from './tables.ts';

/** The state record types of a producer (CustomerState, LoanState, ...). */
export type StateRecordsOf<P extends Producer> = {
  [N in EventName]: Catalogue[N] extends { producer: P; state: { aggregate: string } } ? N : never;
}[EventName];

/** The domain event types of a producer (every catalogue type of it that is not a state record). */
export type DomainEventsOf<P extends Producer> = {
  [N in EventName]: Catalogue[N] extends { state: { aggregate: string } } ? never : Catalogue[N] extends { producer: P } ? N : never;
}[EventName];

/**
 * How a service keeps its state topics: for every event type it produces, the aggregates that
 * event changes (exhaustive: a new event type does not compile until it is mapped, to an empty
 * object when it changes no main aggregate), and how to read an aggregate's current state in the
 * writing transaction.
 */
export interface StateProjection<DB, P extends Producer> {
  producer: P;
  changes: { [N in DomainEventsOf<P>]: (data: EventData<N>) => Partial<Record<StateRecordsOf<P>, string | null | undefined>> };
  load: { [S in StateRecordsOf<P>]: (tx: Kysely<DB>, ids: readonly string[]) => Promise<Map<string, EventInput<S>>> };
}

type AnyProjection = {
  producer: Producer;
  changes: Record<string, (data: unknown) => Record<string, string | null | undefined>>;
  load: Record<string, (tx: AnyDb, ids: readonly string[]) => Promise<Map<string, unknown>>>;
};

/** A checked StateProjection, ready to register (see defineStateProjection). */
export interface DefinedStateProjection {
  readonly producer: Producer;
  readonly projection: unknown;
}

/** Type-checks a service's projection (every event type mapped, every state record loadable). */
export function defineStateProjection<DB, P extends Producer>(projection: StateProjection<DB, P>): DefinedStateProjection {
  return { producer: projection.producer, projection };
}

const projections = new Map<Producer, AnyProjection>();

/** Makes every outbox write of this producer add the state records of the aggregates its events change. */
export function registerStateProjection(defined: DefinedStateProjection): void {
  projections.set(defined.producer, defined.projection as AnyProjection);
}

/**
 * The state records that follow these events: one per aggregate changed, read in the same
 * transaction (called by writeToOutbox after the change and before commit). Events of a producer
 * without a registered projection, and state records themselves, add nothing.
 */
export async function stateRecordsFor(tx: AnyDb, events: readonly DomainEvent<EventName>[], correlationId?: string): Promise<DomainEvent<EventName>[]> {
  const wanted = new Map<string, { projection: AnyProjection; ids: Set<string> }>();
  for (const event of events) {
    const def = definitionOfType(event.type);
    if (!def || def.state) continue;
    const projection = projections.get(def.producer);
    const changed = projection?.changes[def.name]?.(event.data);
    if (!projection || !changed) continue;
    for (const [record, id] of Object.entries(changed)) {
      if (!id) continue;
      const entry = wanted.get(record) ?? { projection, ids: new Set<string>() };
      entry.ids.add(id);
      wanted.set(record, entry);
    }
  }
  const records: DomainEvent<EventName>[] = [];
  for (const [record, { projection, ids }] of wanted) {
    const load = projection.load[record];
    if (!load) throw new Error(`No state loader for ${record}`);
    const states = await load(tx, [...ids]);
    for (const id of ids) {
      const data = states.get(id);
      if (data === undefined) throw new Error(`${record} ${id} not found after a change to it`);
      records.push(createEvent(record as EventName, { subject: id, data: data as EventInput<EventName>, correlationId }));
    }
  }
  return records;
}
