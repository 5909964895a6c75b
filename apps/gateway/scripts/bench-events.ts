/**
 * Events at broker speed (issue 17), measured on PostgreSQL and Kafka:
 *   - raw: a kafkajs producer (the relay's settings: idempotent, acks from all replicas) sending
 *     5,000 CustomerRegistered-sized messages in batches of 500 to a topic of its own;
 *   - applied: 5,000 CustomerRegistered waiting in an outbox, relayed to Kafka and applied by
 *     loyalty (account, welcome points, events), from relay start to the last inbox row;
 *   - end-to-end delay from commit to loyalty's inbox under a registration load (32 writers);
 *   - CPU of an idle relay.
 * Each figure for the consumer and relay as they are (batches, own connection, wake on commit)
 * and as they were (one event per transaction, relay polling every 250 ms on the request pool),
 * interleaved, 3 rounds, medians.
 *
 * Usage: pnpm bench:events [rounds=3]. Needs PostgreSQL (BENCH_DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres: a database of its own is created and dropped) and
 * Kafka (KAFKA_BROKERS, default 127.0.0.1:9092; topics in a namespace of their own).
 */
import { randomBytes } from 'node:crypto';
import {
  createConsumer,
  createEvent,
  type EventConsumer,
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
import pg from 'pg';

const ROUNDS = Number(process.argv[2] ?? 3);
const BACKLOG = 5_000;
const WRITERS = 32;
const LOAD_MS = 10_000;
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const run = randomBytes(3).toString('hex');
const dbName = `crm_bench_events_${run}`;
const url = adminUrl.replace(/\/[^/]*$/, `/${dbName}`);
const logger = createLogger('bench', 'silent');
// biome-ignore lint/suspicious/noExplicitAny: the producer side has only the event tables.
type AnyDatabase = Database<any>;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? ((s[Math.floor((s.length - 1) / 2)] ?? 0) + (s[Math.ceil((s.length - 1) / 2)] ?? 0)) / 2 : Number.NaN;
};
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
};

const registered = (customerId: string) =>
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

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** The raw producer: 5,000 messages the size of a CustomerRegistered, in batches of 500. */
async function rawProducer(namespace: string): Promise<number> {
  const kafka = new Kafka({ clientId: `bench-raw-${run}`, brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  const topic = `${namespace}.raw`;
  const transport = new KafkaTransport({ brokers, clientId: `bench-raw-admin-${run}`, logger });
  await transport.connect();
  await transport.ensureTopics([topic]);
  await transport.close();
  await producer.connect();
  const messages = Array.from({ length: BACKLOG }, (_, i) => {
    const e = registered(`raw-${i}`);
    return { key: e.subject, value: JSON.stringify(e), headers: { 'ce-type': e.type } };
  });
  const start = performance.now();
  for (let i = 0; i < messages.length; i += 500) await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 500) });
  const seconds = (performance.now() - start) / 1000;
  await producer.disconnect();
  return BACKLOG / seconds;
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

/** customers' outbox (a schema with the event tables), loyalty's consumer on its own schema, Kafka between. */
async function pipeline(mode: 'batched' | 'one-at-a-time', namespace: string): Promise<Pipeline> {
  const suffix = `${mode === 'batched' ? 'b' : 'o'}_${randomBytes(3).toString('hex')}`;
  const producerDb = await openDatabase({ kind: 'postgres', url, schema: `customers_${suffix}`, poolSize: 10 });
  await migrate(producerDb, { '0000_event_tables': eventTablesMigration });
  await migrateEventOperations(producerDb);
  const loyaltyDb = await openDatabase<LoyaltyDB>({ kind: 'postgres', url, schema: `loyalty_${suffix}`, poolSize: 10 });
  await migrate(loyaltyDb, loyaltyService.migrations);
  await migrateEventOperations(loyaltyDb);
  // As before: the relay on the request pool; now: a connection of its own.
  const relayDb = mode === 'batched' ? await openDatabase({ kind: 'postgres', url, schema: `customers_${suffix}`, poolSize: 1 }) : producerDb;
  const transport = new KafkaTransport({ brokers, clientId: `bench-${suffix}`, logger, partitions: 3 });
  await transport.connect();
  await transport.ensureTopics([topicOf('customers', namespace)]);
  const consumer = createConsumer<LoyaltyDB>({
    service: 'loyalty',
    db: loyaltyDb.db,
    transport,
    handlers: loyaltyService.handlers,
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
        ...(mode === 'batched' && listen
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

/** 5,000 events waiting in the outbox; applied per second from relay start to the last inbox row. */
async function applied(mode: 'batched' | 'one-at-a-time', namespace: string): Promise<number> {
  const p = await pipeline(mode, namespace);
  try {
    await p.producerDb.db.transaction().execute((tx) =>
      writeToOutbox(
        tx,
        Array.from({ length: BACKLOG }, (_, i) => registered(`bl-${run}-${mode}-${i}`)),
      ),
    );
    const start = performance.now();
    p.startRelay();
    await until(async () => (await inboxCount(p)) >= BACKLOG, 30 * 60_000);
    return BACKLOG / ((performance.now() - start) / 1000);
  } finally {
    await p.stop();
  }
}

/** 32 writers commit registrations (one each, then 100 ms of think time) for 10 s; delay from each commit to its inbox row. */
async function endToEnd(mode: 'batched' | 'one-at-a-time', namespace: string): Promise<{ p50: number; p99: number; n: number }> {
  const p = await pipeline(mode, namespace);
  try {
    p.startRelay();
    await p.relay?.flush();
    const committed = new Map<string, number>();
    const stopAt = Date.now() + LOAD_MS;
    await Promise.all(
      Array.from({ length: WRITERS }, async (_, w) => {
        for (let i = 0; Date.now() < stopAt; i++) {
          const event = registered(`e2e-${run}-${mode}-${w}-${i}`);
          await p.producerDb.db.transaction().execute((tx) => writeToOutbox(tx, [event]));
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
async function idleRelayCpu(mode: 'batched' | 'one-at-a-time', namespace: string): Promise<number> {
  const p = await pipeline(mode, namespace);
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

await admin(`create database ${dbName}`);
const figures: Record<string, number[]> = {};
const add = (name: string, value: number) => {
  figures[name] = [...(figures[name] ?? []), value];
};
try {
  for (let round = 1; round <= ROUNDS; round++) {
    const ns = `bench-${run}-r${round}`;
    add('raw', await rawProducer(ns));
    for (const mode of round % 2 ? (['one-at-a-time', 'batched'] as const) : (['batched', 'one-at-a-time'] as const)) {
      add(`applied ${mode}`, await applied(mode, `${ns}-a-${mode}`));
      const e2e = await endToEnd(mode, `${ns}-e-${mode}`);
      add(`p50 ${mode}`, e2e.p50);
      add(`p99 ${mode}`, e2e.p99);
      add(`idle cpu ${mode}`, await idleRelayCpu(mode, `${ns}-i-${mode}`));
    }
    console.error(`round ${round}: ${JSON.stringify(Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, Math.round(v.at(-1) ?? 0)])))}`);
  }
} finally {
  await admin(`drop database if exists ${dbName} with (force)`);
}

const m = (name: string) => median(figures[name] ?? []);
const raw = m('raw');
const rows: [string, string, string, string][] = [];
for (const mode of ['one-at-a-time', 'batched'] as const) {
  const label = mode === 'batched' ? 'now (batches, wake on commit)' : 'as before (one per transaction, polling)';
  rows.push([
    `applied/s, 5,000 waiting: ${label}`,
    `${m(`applied ${mode}`).toFixed(0)} vs raw ${raw.toFixed(0)}/s`,
    (m(`applied ${mode}`) / raw).toFixed(3),
    '>= 0.5',
  ]);
  rows.push([
    `commit->inbox p50 / p99: ${label}`,
    `${m(`p50 ${mode}`).toFixed(0)} / ${m(`p99 ${mode}`).toFixed(0)} ms`,
    (m(`p99 ${mode}`) / Math.max(1, m(`p50 ${mode}`))).toFixed(1),
    '<= 10',
  ]);
  rows.push([`idle relay CPU: ${label}`, `${m(`idle cpu ${mode}`).toFixed(1)} ms/s`, '', '']);
}
console.log(`${'figure'.padEnd(66)} ${'raw figures (median of 3)'.padEnd(30)} ${'ratio'.padEnd(7)} goal`);
for (const [what, value, ratio, goal] of rows) console.log(`${what.padEnd(66)} ${value.padEnd(30)} ${ratio.padEnd(7)} ${goal}`);
process.exit(0);
