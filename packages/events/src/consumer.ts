import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import { catalogue, deadLetterTopicOf, definitionOfType, type EventName, type Producer, topicOf } from './catalogue/index.ts';
import { withCorrelationId } from './correlation.ts';
import { type CloudEvent, type DomainEvent, EventValidationError, parseEvent } from './envelope.ts';
import { maskErrorDetail, maskSerializedPayload } from './masking.ts';
import { eventsConsumed } from './metrics.ts';
import { eventTables } from './tables.ts';
import type { ReceivedMessage, Subscription, Transport } from './transport.ts';

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
  /** Attempts before dead-lettering (first try included). */
  maxAttempts?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface EventConsumer {
  start(): Promise<void>;
  stop(): Promise<void>;
  ready(): boolean;
  /** Handles one message as delivered by a transport (exposed for tests of redelivery). */
  handle(message: ReceivedMessage): Promise<void>;
}

/**
 * One consumer group per service. Each event is handled in a transaction that also inserts its
 * id into the inbox: a redelivered event finds its id there and has no second effect. Failures
 * are retried with exponential backoff, then the event goes to the group's dead-letter topic and
 * table; the position advances only after one of these outcomes, never by a silent skip.
 */
export function createConsumer<DB>(options: ConsumerOptions<DB>): EventConsumer {
  const { service, logger } = options;
  const maxAttempts = options.maxAttempts ?? 5;
  const initialBackoff = options.initialBackoffMs ?? 100;
  const maxBackoff = options.maxBackoffMs ?? 5_000;
  const producers = new Set<Producer>((Object.keys(options.handlers) as EventName[]).map((name) => catalogue[name].producer));
  const topics = [...producers].map((p) => topicOf(p, options.namespace));
  const dlq = deadLetterTopicOf(service, options.namespace);
  const handlerOf = (type: string) => {
    const def = definitionOfType(type);
    return def ? (options.handlers[def.name as EventName] as EventHandler<DB, EventName> | undefined) : undefined;
  };
  let subscription: Subscription | null = null;

  async function deadLetter(message: ReceivedMessage, eventId: string, type: string, error: unknown, attempts: number) {
    const detail = (error as { detail?: unknown } | null)?.detail;
    const reason = maskErrorDetail(`${error instanceof Error ? error.message : String(error)}${typeof detail === 'string' ? ` (${detail})` : ''}`);
    // The row is for people (personal data masked); the dead-letter topic keeps the event whole for replay.
    await eventTables(options.db)
      .insertInto('event_dead_letter')
      .values({ event_id: eventId, type, topic: message.topic, payload: maskSerializedPayload(message.value), error: reason.slice(0, 4000), attempts })
      .execute();
    await options.transport.publish(dlq, [
      { key: message.key, value: message.value, headers: { 'x-error': reason.slice(0, 500), 'x-source-topic': message.topic, 'x-attempts': String(attempts) } },
    ]);
    eventsConsumed.inc({ service, type, outcome: 'dead_lettered' });
    logger.error({ eventId, type, attempts, err: error }, 'event dead-lettered');
  }

  async function handleOnce(event: CloudEvent, handler: EventHandler<DB, EventName>): Promise<'handled' | 'duplicate'> {
    return options.db.transaction().execute(async (tx) => {
      const inserted = await eventTables(tx)
        .insertInto('event_inbox')
        .values({ event_id: event.id, type: event.type, source: event.source })
        .onConflict((oc) => oc.column('event_id').doNothing())
        .returning('event_id')
        .executeTakeFirst();
      if (!inserted) return 'duplicate';
      await handler(tx, event as DomainEvent<EventName>);
      return 'handled';
    });
  }

  async function handle(message: ReceivedMessage): Promise<void> {
    let event: CloudEvent;
    try {
      const parsed = parseEvent(message.value);
      event = parsed.event;
    } catch (error) {
      if (!(error instanceof EventValidationError)) throw error;
      await deadLetter(message, 'unparseable', message.headers?.['ce-type'] ?? 'unknown', error, 1);
      return;
    }
    const handler = handlerOf(event.type);
    if (!handler) {
      eventsConsumed.inc({ service, type: event.type, outcome: 'ignored' });
      return;
    }
    await withCorrelationId(event.correlationid ?? event.id, async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          const outcome = await handleOnce(event, handler);
          eventsConsumed.inc({ service, type: event.type, outcome });
          if (outcome === 'handled') logger.debug({ eventId: event.id, type: event.type }, 'event handled');
          return;
        } catch (error) {
          if (attempt >= maxAttempts) {
            await deadLetter(message, event.id, event.type, error, attempt);
            return;
          }
          eventsConsumed.inc({ service, type: event.type, outcome: 'retried' });
          logger.warn({ eventId: event.id, type: event.type, attempt, err: error }, 'event handler failed; retrying');
          await sleep(Math.min(initialBackoff * 2 ** (attempt - 1), maxBackoff));
        }
      }
    });
  }

  return {
    handle,
    async start() {
      if (!topics.length) return;
      await options.transport.ensureTopics([...topics, dlq]);
      subscription = await options.transport.subscribe({ groupId: groupIdOf(service, options.namespace), topics, handle });
      logger.info({ topics }, 'consumer started');
    },
    async stop() {
      await subscription?.stop();
      subscription = null;
    },
    ready() {
      return !topics.length || subscription !== null;
    },
  };
}

export function groupIdOf(service: Producer, namespace = ''): string {
  return `${namespace ? `${namespace}.` : ''}crm-${service}`;
}
