/**
 * Events at broker speed (issue 17), measured on PostgreSQL and Kafka (used by `pnpm bench:events`
 * and `pnpm bench`):
 *   - raw: a kafkajs producer (the relay's settings: idempotent, acks from all replicas) sending
 *     CustomerRegistered-sized messages in batches of 500 to a topic of its own;
 *   - applied: CustomerRegistered waiting in an outbox, relayed to Kafka and applied by loyalty
 *     (account, welcome points, events), from relay start to the last inbox row;
 *   - end-to-end delay from commit to loyalty's inbox under a registration load (32 writers);
 *   - CPU of an idle relay.
 * Each in a PipelineMode: loyalty's consumer as it is, or as it was before.
 */
import {
  createConsumer,
  createEvent,
  type EventConsumer,
  type EventHandler,
  type EventHandlers,
  type EventName,
  eventTablesMigration,
  KafkaTransport,
  outboxChannel,
  type Relay,
  startRelay,
  topicOf,
  writeToOutbox,
} from '@crm/events';
import { type LoyaltyDB, loyaltyService } from '@crm/loyalty';
import { createLogger, type Database, migrate, migrateEventOperations, openDatabase } from '@crm/service-kit';
import { Kafka, logLevel } from 'kafkajs';
import { sql } from 'kysely';
import { quantile } from './stats.ts';

/**
 * How loyalty consumes: `one-at-a-time` (one event per transaction, relay polling every 250 ms
 * on the request pool: before issue 17), `per-event` (batches in one transaction, the relay
 * woken on commit, but each event's own handler: before the set-based handlers), `set-based`
 * (as it is: the handlers' set-based form for a batch).
 */
export type PipelineMode = 'one-at-a-time' | 'per-event' | 'set-based';

/** Loyalty's handlers without their set-based form. */
function perEventHandlers(): EventHandlers<LoyaltyDB> {
  return Object.fromEntries(
    Object.entries(loyaltyService.handlers).map(([name, handler]) => [
      name,
      (...args: Parameters<EventHandler<LoyaltyDB, EventName>>) => (handler as EventHandler<LoyaltyDB, EventName>)(...args),
    ]),
  ) as EventHandlers<LoyaltyDB>;
}

/** Where and how much: a database (schemas are created in it), the brokers, sizes. */
export interface EventsBench {
  brokers: string[];
  /** A PostgreSQL database the bench may create schemas in. */
  url: string;
  /** Distinguishes this run's topics, schemas and customer ids. */
  run: string;
  /** Events waiting in the outbox (default 5,000). */
  backlog?: number;
  /** Registration writers of the end-to-end load (default 32) and its duration (default 10 s). */
  writers?: number;
  loadMs?: number;
}

const logger = createLogger('bench', 'silent');
// biome-ignore lint/suspicious/noExplicitAny: the producer side has only the event tables.
type AnyDatabase = Database<any>;

export const registered = (customerId: string) =>
  createEvent('CustomerRegistered', {
    subject: customerId,
    data: {
      customerId,
      kind: 'INDIVIDUAL',
      displayName: `Bench Customer ${customerId}`,
      status: 'ACTIVE',
      branchId: `BR-${customerId.length % 7}`,
      relationshipManagerId: 'rm-1',
      birthDate: '1990-01-01',
      registeredAt: new Date().toISOString(),
      referralCode: null,
    },
  });

/** The raw producer: `backlog` messages the size of a CustomerRegistered, in batches of 500; messages per second. */
export async function rawProducer(b: EventsBench, namespace: string): Promise<number> {
  const backlog = b.backlog ?? 5_000;
  const kafka = new Kafka({ clientId: `bench-raw-${b.run}`, brokers: b.brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  const topic = `${namespace}.raw`;
  const transport = new KafkaTransport({ brokers: b.brokers, clientId: `bench-raw-admin-${b.run}`, logger });
  await transport.connect();
  await transport.ensureTopics([topic]);
  await transport.close();
  await producer.connect();
  const messages = Array.from({ length: backlog }, (_, i) => {
    const e = registered(`raw-${i}`);
    return { key: e.subject, value: JSON.stringify(e), headers: { 'ce-type': e.type } };
  });
  const start = performance.now();
  for (let i = 0; i < messages.length; i += 500) await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 500) });
  const seconds = (performance.now() - start) / 1000;
  await producer.disconnect();
  return backlog / seconds;
}

interface Pipeline {
  producerDb: AnyDatabase;
  relayDb: AnyDatabase;
  loyaltyDb: Database<LoyaltyDB>;
  transport: KafkaTransport;
  consumer: EventConsumer;
  relay?: Relay;
  startRelay(): void;
  stop(): Promise<void>;
}

let pipelines = 0;

/** customers' outbox (a schema with the event tables), loyalty's consumer on its own schema, Kafka between. */
async function pipeline(b: EventsBench, mode: PipelineMode, namespace: string): Promise<Pipeline> {
  const suffix = `${mode === 'one-at-a-time' ? 'o' : mode === 'per-event' ? 'p' : 's'}_${b.run}_${++pipelines}`;
  const producerDb = await openDatabase({ kind: 'postgres', url: b.url, schema: `customers_${suffix}`, poolSize: 10 });
  await migrate(producerDb, { '0000_event_tables': eventTablesMigration });
  await migrateEventOperations(producerDb);
  const loyaltyDb = await openDatabase<LoyaltyDB>({ kind: 'postgres', url: b.url, schema: `loyalty_${suffix}`, poolSize: 10 });
  await migrate(loyaltyDb, loyaltyService.migrations);
  await migrateEventOperations(loyaltyDb);
  // As before: the relay on the request pool; now: a connection of its own.
  const relayDb = mode !== 'one-at-a-time' ? await openDatabase({ kind: 'postgres', url: b.url, schema: `customers_${suffix}`, poolSize: 1 }) : producerDb;
  const transport = new KafkaTransport({ brokers: b.brokers, clientId: `bench-${suffix}`, logger, partitions: 3 });
  await transport.connect();
  await transport.ensureTopics([topicOf('customers', namespace)]);
  const consumer = createConsumer<LoyaltyDB>({
    service: 'loyalty',
    db: loyaltyDb.db,
    transport,
    handlers: mode === 'set-based' ? loyaltyService.handlers : perEventHandlers(),
    logger,
    namespace,
    ...(mode === 'one-at-a-time' ? { maxBatchSize: 1 } : {}),
  });
  await consumer.start();
  const p: Pipeline = {
    producerDb,
    relayDb,
    loyaltyDb,
    transport,
    consumer,
    startRelay() {
      const listen = producerDb.listen;
      p.relay = startRelay({
        service: 'customers',
        db: relayDb.db,
        engine: 'postgres',
        transport,
        logger,
        namespace,
        ...(mode !== 'one-at-a-time' && listen
          ? { listen: (wake: () => void) => listen(outboxChannel(producerDb.target.schema), wake) }
          : { intervalMs: 250, batchSize: 200 }),
      });
    },
    async stop() {
      await p.relay?.stop();
      await consumer.stop();
      await transport.close();
      if (relayDb !== producerDb) await relayDb.close();
      await producerDb.close();
      await loyaltyDb.close();
    },
  };
  return p;
}

const inboxCount = async (p: Pipeline) =>
  Number(
    (await sql<{ n: string }>`select count(*) as n from event_inbox where type = 'crm.customers.CustomerRegistered.v1'`.execute(p.loyaltyDb.db)).rows[0]?.n,
  );

async function until(probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** `backlog` events waiting in the outbox; applied per second from relay start to the last inbox row. */
export async function applied(b: EventsBench, mode: PipelineMode, namespace: string): Promise<number> {
  const backlog = b.backlog ?? 5_000;
  const p = await pipeline(b, mode, namespace);
  try {
    await p.producerDb.db.transaction().execute((tx) =>
      writeToOutbox(
        tx,
        Array.from({ length: backlog }, (_, i) => registered(`bl-${namespace}-${mode}-${i}`)),
      ),
    );
    const start = performance.now();
    p.startRelay();
    await until(async () => (await inboxCount(p)) >= backlog, 30 * 60_000);
    return backlog / ((performance.now() - start) / 1000);
  } finally {
    await p.stop();
  }
}

/** Writers commit registrations (one each, then 100 ms of think time) for a while; delay from each commit to its inbox row. */
export async function endToEnd(b: EventsBench, mode: PipelineMode, namespace: string): Promise<{ p50: number; p99: number; n: number }> {
  const writers = b.writers ?? 32;
  const loadMs = b.loadMs ?? 10_000;
  const p = await pipeline(b, mode, namespace);
  try {
    p.startRelay();
    await p.relay?.flush();
    const committed = new Map<string, number>();
    const stopAt = Date.now() + loadMs;
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; Date.now() < stopAt; i++) {
          const event = registered(`e2e-${namespace}-${mode}-${w}-${i}`);
          // A write that fails (no connection within the pool's timeout on a loaded machine) is tried again.
          for (let attempt = 1; ; attempt++) {
            try {
              await p.producerDb.db.transaction().execute((tx) => writeToOutbox(tx, [event]));
              break;
            } catch (error) {
              if (attempt >= 5) throw error;
            }
          }
          committed.set(event.id, Date.now());
          await new Promise((r) => setTimeout(r, 100));
        }
      }),
    );
    await until(async () => (await inboxCount(p)) >= committed.size, 10 * 60_000);
    const rows = (
      await sql<{ event_id: string; at: Date }>`select event_id, handled_at as at from event_inbox where type = 'crm.customers.CustomerRegistered.v1'`.execute(
        p.loyaltyDb.db,
      )
    ).rows;
    const delays = rows.flatMap((r) => {
      const at = committed.get(r.event_id);
      return at === undefined ? [] : [Math.max(0, new Date(r.at).getTime() - at)];
    });
    return { p50: quantile(delays, 0.5), p99: quantile(delays, 0.99), n: delays.length };
  } finally {
    await p.stop();
  }
}

/** CPU (ms per second) of this process while the relay idles for 10 s (nothing else runs here). */
export async function idleRelayCpu(b: EventsBench, mode: PipelineMode, namespace: string): Promise<number> {
  const p = await pipeline(b, mode, namespace);
  try {
    await p.consumer.stop();
    p.startRelay();
    await p.relay?.flush();
    await new Promise((r) => setTimeout(r, 1_000));
    const before = process.cpuUsage();
    const start = performance.now();
    await new Promise((r) => setTimeout(r, 10_000));
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1000 / ((performance.now() - start) / 1000);
  } finally {
    await p.stop();
  }
}
