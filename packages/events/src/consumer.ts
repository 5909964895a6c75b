import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import { catalogue, deadLetterTopicOf, definitionOfType, type EventName, type Producer, topicOf } from './catalogue/index.ts';
import { withCorrelationId } from './correlation.ts';
import { type CloudEvent, type DomainEvent, EventValidationError, parseEvent } from './envelope.ts';
import { maskErrorDetail, maskSerializedPayload } from './masking.ts';
import { eventsConsumed } from './metrics.ts';
import { eventTables } from './tables.ts';
import { backoffDelay, eventIdOf, eventTypeOf, isTransientError } from './transient.ts';
import type { HealthState, ReceivedMessage, Subscription, Transport } from './transport.ts';

/** A handler runs inside the transaction that records the event in the inbox. */
export type EventHandler<DB, N extends EventName> = (tx: Transaction<DB>, event: DomainEvent<N>) => Promise<void>;

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
}

export interface EventConsumer {
  start(): Promise<void>;
  stop(): Promise<void>;
  ready(): boolean;
  /** ready() with its reason: subscribed, the transport's view of the subscription, paused on an outage. */
  health(): HealthState;
  /** Handles one message as delivered by a transport (exposed for tests of redelivery). */
  handle(message: ReceivedMessage): Promise<void>;
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

  const handleOnce = (event: CloudEvent, handler: EventHandler<DB, EventName>) => handleThroughInbox(options.db, event, handler);

  async function handle(message: ReceivedMessage): Promise<void> {
    let event: CloudEvent;
    let known: boolean;
    try {
      ({ event, known } = parseEvent(message.value));
    } catch (error) {
      if (!(error instanceof EventValidationError)) throw error;
      // The real id when the JSON has one, so the row can be matched with the producer's outbox.
      const id = eventIdOf(message.value) ?? 'unparseable';
      await deadLetter(message, id, eventTypeOf(message.value) ?? message.headers?.['ce-type'] ?? 'unknown', error, 1);
      return;
    }
    if (!known) {
      // Dead-lettered, not parked: parking would stall the partition (and every later event of
      // the same customers) until a deployment that knows the type. The dead-letter topic keeps
      // the event whole, so it can be replayed once a consumer understands this type or version.
      const reason = new Error(`Unknown event type or version ${event.type}: not in this service's catalogue (a newer producer?)`);
      await deadLetter(message, event.id, event.type, reason, 1);
      return;
    }
    const handler = handlerOf(event.type);
    if (!handler) {
      // Other services' events on the same topic: known, valid, just not for this service.
      eventsConsumed.inc({ service, type: event.type, outcome: 'ignored' });
      logger.debug({ eventId: event.id, type: event.type }, 'event has no handler in this service; skipped');
      return;
    }
    await withCorrelationId(event.correlationid ?? event.id, async () => {
      let attempt = 0;
      for (let wait = 1; ; ) {
        try {
          const outcome = await handleOnce(event, handler);
          pausedSince = null;
          eventsConsumed.inc({ service, type: event.type, outcome });
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
    });
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
    async start() {
      if (!topics.length) return;
      stopping = new AbortController();
      await options.transport.ensureTopics([...topics, dlq]);
      subscription = await options.transport.subscribe({ groupId: groupIdOf(service, options.namespace), topics, handle });
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

/**
 * Runs a handler in a transaction that first records the event id in the inbox: a second
 * delivery (or a replay of an event already handled) finds the id and has no effect. `after`
 * runs in the same transaction whatever the outcome (the replay tool marks its row there).
 */
export async function handleThroughInbox<DB>(
  db: Kysely<DB>,
  event: CloudEvent,
  handler: EventHandler<DB, EventName>,
  after?: (tx: Transaction<DB>, outcome: 'handled' | 'duplicate') => Promise<void>,
): Promise<'handled' | 'duplicate'> {
  return db.transaction().execute(async (tx) => {
    const inserted = await eventTables(tx)
      .insertInto('event_inbox')
      .values({ event_id: event.id, type: event.type, source: event.source })
      .onConflict((oc) => oc.column('event_id').doNothing())
      .returning('event_id')
      .executeTakeFirst();
    const outcome = inserted ? 'handled' : 'duplicate';
    if (inserted) await handler(tx, event as DomainEvent<EventName>);
    await after?.(tx, outcome);
    return outcome;
  });
}

/** The topics a service's consumer subscribes to: those of the producers of the events it handles. */
export function topicsOfHandlers<DB>(handlers: EventHandlers<DB>, namespace?: string): string[] {
  const producers = new Set<Producer>((Object.keys(handlers) as EventName[]).map((name) => catalogue[name].producer));
  return [...producers].map((p) => topicOf(p, namespace));
}

/** The handler of an event type among a service's handlers, if it has one. */
export function handlerOfType<DB>(handlers: EventHandlers<DB>, type: string): EventHandler<DB, EventName> | undefined {
  const def = definitionOfType(type);
  return def ? (handlers[def.name as EventName] as EventHandler<DB, EventName> | undefined) : undefined;
}

export function groupIdOf(service: Producer, namespace = ''): string {
  return `${namespace ? `${namespace}.` : ''}crm-${service}`;
}
