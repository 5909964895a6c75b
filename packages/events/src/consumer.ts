import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import { catalogue, deadLetterTopicOf, definitionOfType, type EventName, type Producer, topicOfDefinition } from './catalogue/index.ts';
import { withCorrelationId } from './correlation.ts';
import { type CloudEvent, type DomainEvent, EventValidationError, parseEvent } from './envelope.ts';
import { maskErrorDetail, maskSerializedPayload } from './masking.ts';
import { eventsConsumed } from './metrics.ts';
import { deferOutboxWrites } from './outbox.ts';
import { eventTables } from './tables.ts';
import { contextOfTraceparent, inSpan, SpanKind } from './tracing.ts';
import { backoffDelay, eventIdOf, eventTypeOf, isTransientError } from './transient.ts';
import type { HealthState, ReceivedMessage, Subscription, Transport } from './transport.ts';

/**
 * What a handler may use besides its transaction: the consumer's database handle, the key of
 * per-process caches of reference data (tiers, rules, settings) that the service's own change
 * commands invalidate. A handler reads and writes through `tx` only.
 */
export interface HandlerContext<DB> {
  db: Kysely<DB>;
}

/**
 * A handler runs inside the transaction that records the event in the inbox; a batch of events
 * shares one transaction, the handlers running one after the other in delivery order.
 */
export type EventHandler<DB, N extends EventName> = ((tx: Transaction<DB>, event: DomainEvent<N>, context: HandlerContext<DB>) => Promise<void>) & {
  /** The set-based form of the handler, for several new events of the type in one transaction (see withBatchHandler). */
  many?: EventBatchHandler<DB, N>;
};

/** What a batch handler may use besides its transaction. */
export interface BatchHandlerContext<DB> extends HandlerContext<DB> {
  /**
   * Runs `fn` as the handling of `event`: in the event's `process` span (a child of the producer's
   * trace) and with its correlation id, so the events emitted inside carry both, as they do when
   * the event's own handler runs.
   */
  as<T>(event: CloudEvent, fn: () => Promise<T>): Promise<T>;
}

/**
 * Handles several new events of one type in one transaction, set-based (a multi-row INSERT for
 * all of them rather than statements per event). It must leave what the one-event handler run on
 * each event in turn would leave: the events come in delivery order (one key's events keep their
 * order), none of them is a duplicate (the inbox filtered them), and when the batch transaction
 * fails the consumer runs the one-event handler on each event in a transaction of its own.
 */
export type EventBatchHandler<DB, N extends EventName> = (
  tx: Transaction<DB>,
  events: readonly DomainEvent<N>[],
  context: BatchHandlerContext<DB>,
) => Promise<void>;

/** A handler of one event with its set-based form for a batch (`many`), which the consumer uses when a batch holds several new events of the type. */
export function withBatchHandler<DB, N extends EventName>(one: EventHandler<DB, N>, many: EventBatchHandler<DB, N>): EventHandler<DB, N> {
  return Object.assign((tx: Transaction<DB>, event: DomainEvent<N>, context: HandlerContext<DB>) => one(tx, event, context), { many });
}

export type EventHandlers<DB> = { [N in EventName]?: EventHandler<DB, N> };

export interface ConsumerOptions<DB> {
  service: Producer;
  db: Kysely<DB>;
  transport: Transport;
  handlers: EventHandlers<DB>;
  logger: Logger;
  namespace?: string;
  /** Attempts before dead-lettering (first try included); transient infrastructure errors do not count. */
  maxAttempts?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Cap of the backoff while the database or broker is unavailable (retried without limit). */
  maxTransientBackoffMs?: number;
  /** Most events handled in one transaction (default 500); a delivered batch is cut into such slices. */
  maxBatchSize?: number;
}

export interface EventConsumer {
  start(): Promise<void>;
  stop(): Promise<void>;
  ready(): boolean;
  /** ready() with its reason: subscribed, the transport's view of the subscription, paused on an outage. */
  health(): HealthState;
  /** Handles one message as delivered by a transport (exposed for tests of redelivery). */
  handle(message: ReceivedMessage): Promise<void>;
  /**
   * Handles messages delivered together (one partition's fetch), in order: the new ones in one
   * transaction; when it fails, one at a time, so only the failing event is retried.
   */
  handleBatch(messages: readonly ReceivedMessage[]): Promise<void>;
}

/** Thrown out of a handle() interrupted by stop(): the position does not advance, the event comes again. */
export class ConsumerStoppedError extends Error {
  constructor() {
    super('consumer stopped while the event was retrying; it will be delivered again');
    this.name = 'ConsumerStoppedError';
  }
}

/**
 * One consumer group per service. Each event is handled in a transaction that also inserts its
 * id into the inbox: a redelivered event finds its id there and has no second effect. Failures
 * are retried with exponential backoff, then the event goes to the group's dead-letter topic and
 * table; the position advances only after one of these outcomes, never by a silent skip.
 *
 * Transient infrastructure errors (the database restarting or unreachable, serialization
 * failures, deadlocks, a broker outage while dead-lettering) are not the event's fault: they are
 * retried without limit with a capped backoff, do not count toward maxAttempts, and in effect
 * pause this partition until the infrastructure is back.
 */
export function createConsumer<DB>(options: ConsumerOptions<DB>): EventConsumer {
  const { service, logger } = options;
  const maxAttempts = options.maxAttempts ?? 5;
  const initialBackoff = options.initialBackoffMs ?? 100;
  const maxBackoff = options.maxBackoffMs ?? 5_000;
  const maxTransientBackoff = options.maxTransientBackoffMs ?? Math.max(maxBackoff, 5_000);
  const topics = topicsOfHandlers(options.handlers, options.namespace);
  const dlq = deadLetterTopicOf(service, options.namespace);
  const handlerOf = (type: string) => handlerOfType(options.handlers, type);
  let subscription: Subscription | null = null;
  let stopping = new AbortController();
  /** Set while some event waits for the database or broker to come back. */
  let pausedSince: { at: Date; error: string } | null = null;

  /** Waits, unless stop() is called meanwhile; keeps the group membership alive while waiting. */
  async function pause(ms: number, message: ReceivedMessage): Promise<void> {
    if (stopping.signal.aborted) throw new ConsumerStoppedError();
    await sleep(ms, undefined, { signal: stopping.signal }).catch(() => undefined);
    if (stopping.signal.aborted) throw new ConsumerStoppedError();
    await message.heartbeat?.().catch(() => undefined);
  }

  /** Runs an infrastructure step (dead-letter writes) until it succeeds or fails for a non-transient reason. */
  async function untilAvailable<T>(message: ReceivedMessage, what: string, step: () => Promise<T>): Promise<T> {
    for (let wait = 1; ; wait++) {
      try {
        const result = await step();
        pausedSince = null;
        return result;
      } catch (error) {
        if (!isTransientError(error)) throw error;
        const delayMs = backoffDelay(wait, initialBackoff, maxTransientBackoff);
        pausedSince ??= { at: new Date(), error: error instanceof Error ? error.message : String(error) };
        logger.warn({ err: error, wait, delayMs }, `${what}: infrastructure unavailable; retrying in ${delayMs} ms`);
        await pause(delayMs, message);
      }
    }
  }

  async function deadLetter(message: ReceivedMessage, eventId: string, type: string, error: unknown, attempts: number) {
    const detail = (error as { detail?: unknown } | null)?.detail;
    const reason = maskErrorDetail(`${error instanceof Error ? error.message : String(error)}${typeof detail === 'string' ? ` (${detail})` : ''}`);
    // `payload` is for people (personal data masked); `raw_payload` (for the replay tool only) and the
    // dead-letter topic keep the event whole.
    await untilAvailable(message, 'dead-letter row', () =>
      eventTables(options.db)
        .insertInto('event_dead_letter')
        .values({
          event_id: eventId,
          type,
          topic: message.topic,
          payload: maskSerializedPayload(message.value),
          raw_payload: message.value,
          error: reason.slice(0, 4000),
          attempts,
        })
        .execute(),
    );
    await untilAvailable(message, 'dead-letter topic', () =>
      options.transport.publish(dlq, [
        {
          key: message.key,
          value: message.value,
          headers: { 'x-error': reason.slice(0, 500), 'x-source-topic': message.topic, 'x-attempts': String(attempts), 'x-event-id': eventId },
        },
      ]),
    );
    eventsConsumed.inc({ service, type, outcome: 'dead_lettered' });
    logger.error({ eventId, type, attempts, err: error }, 'event dead-lettered');
  }

  const context: HandlerContext<DB> = { db: options.db };
  const maxBatch = Math.max(1, options.maxBatchSize ?? 500);

  /**
   * The event of a message with its handler, or undefined when there is nothing to handle: an
   * invalid or unknown event is dead-lettered here, one of another service is skipped.
   */
  async function prepare(message: ReceivedMessage): Promise<Prepared<DB> | undefined> {
    let event: CloudEvent;
    let known: boolean;
    try {
      ({ event, known } = parseEvent(message.value));
    } catch (error) {
      if (!(error instanceof EventValidationError)) throw error;
      // The real id when the JSON has one, so the row can be matched with the producer's outbox.
      const id = eventIdOf(message.value) ?? 'unparseable';
      await deadLetter(message, id, eventTypeOf(message.value) ?? message.headers?.['ce-type'] ?? 'unknown', error, 1);
      return undefined;
    }
    if (!known) {
      // Dead-lettered, not parked: parking would stall the partition (and every later event of
      // the same customers) until a deployment that knows the type. The dead-letter topic keeps
      // the event whole, so it can be replayed once a consumer understands this type or version.
      const reason = new Error(`Unknown event type or version ${event.type}: not in this service's catalogue (a newer producer?)`);
      await deadLetter(message, event.id, event.type, reason, 1);
      return undefined;
    }
    const handler = handlerOf(event.type);
    if (!handler) {
      // Other services' events on the same topic: known, valid, just not for this service.
      eventsConsumed.inc({ service, type: event.type, outcome: 'ignored' });
      logger.debug({ eventId: event.id, type: event.type }, 'event has no handler in this service; skipped');
      return undefined;
    }
    return { message, event, handler };
  }

  /**
   * Runs the handler in the event's own `process` span, which continues the producer's trace: a
   * child of the publish span named by the message's `traceparent` header, else of the
   * envelope's `traceparent` (the outbox write).
   */
  function inProcessSpan<T>({ message, event }: Prepared<DB>, fn: () => Promise<T>): Promise<T> {
    const parent = message.headers?.traceparent
      ? contextOfTraceparent(message.headers.traceparent, message.headers.tracestate)
      : contextOfTraceparent(event.traceparent, event.tracestate);
    const span = {
      kind: SpanKind.CONSUMER,
      parent,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.destination.name': message.topic,
        'messaging.message.id': event.id,
        'crm.event.type': event.type,
        'crm.service': service,
      },
    };
    return inSpan(`${event.type} process`, span, () => withCorrelationId(event.correlationid ?? event.id, fn));
  }

  const runHandler = (tx: Transaction<DB>, item: Prepared<DB>) => inProcessSpan(item, () => item.handler(tx, item.event as DomainEvent<EventName>, context));

  /**
   * Runs the handlers of a batch's new events (`fresh`, indexes into `items`, in delivery order)
   * in the caller's transaction: the events are put into groups of one type, each handled at once
   * by the type's set-based handler (`many`) when it has one and the group has several events,
   * else one by one. An event joins the first group of its type that comes after the group of the
   * previous event with the same key (subject), so one customer's events are applied in their
   * order; events of different keys may be applied in another order than delivered, which nobody
   * sees: the whole batch commits at once, and each key's emitted events keep their order.
   */
  async function runBatch(tx: Transaction<DB>, items: readonly Prepared<DB>[], fresh: readonly number[]): Promise<void> {
    const groups: { type: string; batched: boolean; items: Prepared<DB>[] }[] = [];
    const groupOfKey = new Map<string, number>();
    for (const index of fresh) {
      const item = items[index] as Prepared<DB>;
      const key = item.event.subject ?? item.message.key;
      const from = groupOfKey.get(key) ?? 0;
      const batched = typeof item.handler.many === 'function';
      let g = batched ? groups.findIndex((group, i) => i >= from && group.batched && group.type === item.event.type) : -1;
      if (g < 0) {
        g = groups.length;
        groups.push({ type: item.event.type, batched, items: [] });
      }
      groups[g]?.items.push(item);
      groupOfKey.set(key, g);
    }
    for (const group of groups) {
      const many = group.items[0]?.handler.many;
      if (!many || group.items.length < 2) {
        for (const item of group.items) await runHandler(tx, item);
        continue;
      }
      const byEvent = new Map(group.items.map((item) => [item.event, item]));
      const batchContext: BatchHandlerContext<DB> = {
        db: options.db,
        as: (event, fn) => {
          const item = byEvent.get(event);
          return item ? inProcessSpan(item, fn) : fn();
        },
      };
      await inSpan(
        `${group.type} process batch`,
        { kind: SpanKind.CONSUMER, attributes: { 'crm.event.type': group.type, 'crm.event.count': group.items.length, 'crm.service': service } },
        () =>
          many(
            tx,
            group.items.map((item) => item.event as DomainEvent<EventName>),
            batchContext,
          ),
      );
    }
  }

  /** One event in a transaction of its own, retried with backoff, then dead-lettered. */
  async function handlePrepared(item: Prepared<DB>): Promise<void> {
    const { message, event } = item;
    let attempt = 0;
    for (let wait = 1; ; ) {
      try {
        const [outcome] = await handleManyThroughInbox(options.db, [item.event], async (tx, fresh) => {
          if (fresh.length) await runHandler(tx, item);
        });
        pausedSince = null;
        eventsConsumed.inc({ service, type: event.type, outcome: outcome ?? 'handled' });
        if (outcome === 'handled') logger.debug({ eventId: event.id, type: event.type }, 'event handled');
        return;
      } catch (error) {
        if (isTransientError(error)) {
          // Not the event's fault: wait for the database without spending the poison budget.
          const delayMs = backoffDelay(wait++, initialBackoff, maxTransientBackoff);
          pausedSince ??= { at: new Date(), error: error instanceof Error ? error.message : String(error) };
          eventsConsumed.inc({ service, type: event.type, outcome: 'retried' });
          logger.warn({ eventId: event.id, type: event.type, delayMs, err: error }, `database unavailable; event retried in ${delayMs} ms`);
          await pause(delayMs, message);
          continue;
        }
        attempt++;
        if (attempt >= maxAttempts) {
          await deadLetter(message, event.id, event.type, error, attempt);
          return;
        }
        const delayMs = backoffDelay(attempt, initialBackoff, maxBackoff);
        eventsConsumed.inc({ service, type: event.type, outcome: 'retried' });
        logger.warn({ eventId: event.id, type: event.type, attempt, delayMs, err: error }, 'event handler failed; retrying');
        await pause(delayMs, message);
      }
    }
  }

  async function handle(message: ReceivedMessage): Promise<void> {
    const item = await prepare(message);
    if (item) await handlePrepared(item);
  }

  /**
   * Many events, one transaction: one multi-row inbox insert says which are new, their handlers
   * run in delivery order (so per key order holds), and one commit applies them all. When that
   * transaction fails, nothing of it stays, and the events go one at a time through `handle`'s
   * path: the others are applied once, only the failing one is retried and dead-lettered.
   */
  async function handleBatch(messages: readonly ReceivedMessage[]): Promise<void> {
    for (let i = 0; i < messages.length; i += maxBatch) {
      const items: Prepared<DB>[] = [];
      for (const message of messages.slice(i, i + maxBatch)) {
        const item = await prepare(message);
        if (item) items.push(item);
      }
      if (items.length === 1 && items[0]) await handlePrepared(items[0]);
      if (items.length <= 1) continue;
      let outcomes: Outcome[];
      try {
        outcomes = await handleManyThroughInbox(
          options.db,
          items.map((item) => item.event),
          (tx, fresh) => runBatch(tx, items, fresh),
        );
      } catch (error) {
        if (stopping.signal.aborted) throw new ConsumerStoppedError();
        logger.warn({ err: error, events: items.length }, 'batch transaction failed; handling its events one at a time');
        for (const item of items) await handlePrepared(item);
        continue;
      }
      pausedSince = null;
      items.forEach((item, index) => {
        eventsConsumed.inc({ service, type: item.event.type, outcome: outcomes[index] ?? 'handled' });
      });
      logger.debug({ events: items.length }, 'batch handled');
    }
  }

  function health(): HealthState {
    if (!topics.length) return { ok: true, detail: 'no subscriptions' };
    if (!subscription) return { ok: false, detail: 'not subscribed' };
    const transport = subscription.health?.() ?? { ok: true };
    if (!transport.ok) return transport;
    // Paused on an outage is still running: the database check says what is down.
    return { ok: true, detail: pausedSince ? `paused since ${pausedSince.at.toISOString()}: ${pausedSince.error}` : 'consuming' };
  }

  return {
    handle,
    handleBatch,
    async start() {
      if (!topics.length) return;
      stopping = new AbortController();
      await options.transport.ensureTopics([...topics, dlq]);
      subscription = await options.transport.subscribe({ groupId: groupIdOf(service, options.namespace), topics, handle, handleBatch });
      logger.info({ topics }, 'consumer started');
    },
    async stop() {
      stopping.abort();
      await subscription?.stop();
      subscription = null;
    },
    ready: () => health().ok,
    health,
  };
}

type Outcome = 'handled' | 'duplicate';

interface Prepared<DB> {
  message: ReceivedMessage;
  event: CloudEvent;
  handler: EventHandler<DB, EventName>;
}

/**
 * Runs `run` with the new events in one transaction that first records the events' ids in the
 * inbox (one multi-row insert; `returning` names the new ones): an event redelivered, replayed, or
 * twice in the batch finds its id there and is not run again. `run` gets the indexes of the new
 * events, in delivery order. Says, per event, what happened.
 */
async function handleManyThroughInbox<DB>(
  db: Kysely<DB>,
  events: readonly CloudEvent[],
  run: (tx: Transaction<DB>, fresh: number[]) => Promise<void>,
  after?: (tx: Transaction<DB>, outcomes: Outcome[]) => Promise<void>,
): Promise<Outcome[]> {
  return db.transaction().execute(async (tx) => {
    const rows = new Map(events.map((e) => [e.id, { event_id: e.id, type: e.type, source: e.source }]));
    const inserted = await eventTables(tx)
      .insertInto('event_inbox')
      .values([...rows.values()])
      .onConflict((oc) => oc.column('event_id').doNothing())
      .returning('event_id')
      .execute();
    const unseen = new Set(inserted.map((r) => r.event_id));
    const fresh: number[] = [];
    const outcomes: Outcome[] = events.map((event, index) => {
      if (!unseen.delete(event.id)) return 'duplicate';
      fresh.push(index);
      return 'handled';
    });
    // The events the handlers emit are written together once they all ran (see deferOutboxWrites).
    if (fresh.length) await deferOutboxWrites(tx, () => run(tx, fresh));
    await after?.(tx, outcomes);
    return outcomes;
  });
}

/**
 * Runs a handler in a transaction that first records the event id in the inbox: a second
 * delivery (or a replay of an event already handled) finds the id and has no effect. `after`
 * runs in the same transaction whatever the outcome (the replay tool marks its row there).
 */
export async function handleThroughInbox<DB>(
  db: Kysely<DB>,
  event: CloudEvent,
  handler: EventHandler<DB, EventName>,
  after?: (tx: Transaction<DB>, outcome: Outcome) => Promise<void>,
): Promise<Outcome> {
  const [outcome] = await handleManyThroughInbox(
    db,
    [event],
    async (tx, fresh) => {
      if (fresh.length) await handler(tx, event as DomainEvent<EventName>, { db });
    },
    after ? (tx, outcomes) => after(tx, outcomes[0] ?? 'duplicate') : undefined,
  );
  return outcome ?? 'duplicate';
}

/**
 * The topics a service's consumer subscribes to: those of the producers of the events it handles,
 * and the state topic of each state record it handles (e.g. engagement's replicas bootstrapped from
 * `crm.customers.customer.state.v1`: a new consumer group reads it from the beginning).
 */
export function topicsOfHandlers<DB>(handlers: EventHandlers<DB>, namespace?: string): string[] {
  return [...new Set((Object.keys(handlers) as EventName[]).map((name) => topicOfDefinition(catalogue[name], namespace)))];
}

/** The handler of an event type among a service's handlers, if it has one. */
export function handlerOfType<DB>(handlers: EventHandlers<DB>, type: string): EventHandler<DB, EventName> | undefined {
  const def = definitionOfType(type);
  return def ? (handlers[def.name as EventName] as EventHandler<DB, EventName> | undefined) : undefined;
}

export function groupIdOf(service: Producer, namespace = ''): string {
  return `${namespace ? `${namespace}.` : ''}crm-${service}`;
}
