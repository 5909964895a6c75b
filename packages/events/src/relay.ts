import { sql } from 'kysely';
import type { Logger } from 'pino';
import { eventsPublished } from './metrics.ts';
import { type AnyDb, eventTables } from './tables.ts';
import type { Transport } from './transport.ts';

export interface RelayOptions {
  service: string;
  db: AnyDb;
  /** On PostgreSQL an advisory lock lets only one replica publish at a time; PGlite has one process. */
  engine: 'postgres' | 'pglite';
  transport: Transport;
  logger: Logger;
  namespace?: string;
  intervalMs?: number;
  batchSize?: number;
}

export interface Relay {
  /** Publishes every pending outbox row now; resolves with how many were published. */
  flush(): Promise<number>;
  stop(): Promise<void>;
}

const RELAY_LOCK = 0x43524d; // "CRM": one lock id per database, and each service owns its database

/**
 * Publishes outbox rows in commit order (by sequence) and marks them sent. A row is marked
 * only after the transport accepted it, so a broker outage delays events and never loses them
 * (consumers are idempotent, so a re-publish after a crash between send and mark is harmless).
 */
export function startRelay(options: RelayOptions): Relay {
  const batchSize = options.batchSize ?? 200;
  const prefix = options.namespace ? `${options.namespace}.` : '';
  let running: Promise<number> | null = null;
  let stopped = false;
  let failures = 0;

  async function publishBatch(db: AnyDb): Promise<number> {
    const outbox = eventTables(db);
    const rows = await outbox
      .selectFrom('event_outbox')
      .select(['seq', 'topic', 'key', 'type', 'event'])
      .where('published_at', 'is', null)
      .orderBy('seq')
      .limit(batchSize)
      .execute();
    if (!rows.length) return 0;
    // Consecutive rows of the same topic go in one send; order across rows is kept.
    let start = 0;
    while (start < rows.length) {
      const topic = rows[start]?.topic;
      let end = start;
      while (end < rows.length && rows[end]?.topic === topic) end++;
      const chunk = rows.slice(start, end);
      await options.transport.publish(
        `${prefix}${topic}`,
        chunk.map((r) => ({ key: r.key, value: JSON.stringify(r.event), headers: { 'ce-type': r.type } })),
      );
      start = end;
    }
    await outbox
      .updateTable('event_outbox')
      .set({ published_at: new Date() })
      .where(
        'seq',
        'in',
        rows.map((r) => r.seq),
      )
      .execute();
    for (const r of rows) eventsPublished.inc({ service: options.service, type: r.type });
    return rows.length;
  }

  async function drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n =
        options.engine === 'postgres'
          ? await eventTables(options.db)
              .transaction()
              .execute(async (tx) => {
                const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${RELAY_LOCK}) as locked`.execute(tx);
                return rows[0]?.locked ? publishBatch(tx) : 0;
              })
          : await publishBatch(options.db);
      total += n;
      if (n < batchSize) return total;
    }
  }

  function flush(): Promise<number> {
    if (!running) {
      running = drain().finally(() => {
        running = null;
      });
    }
    return running;
  }

  const interval = options.intervalMs ?? 250;
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    if (stopped) return;
    flush()
      .then(() => {
        failures = 0;
      })
      .catch((error: unknown) => {
        failures++;
        if (failures === 1 || failures % 20 === 0) options.logger.warn({ err: error, failures }, 'outbox relay could not publish; will retry');
      })
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, failures ? Math.min(interval * 2 ** failures, 10_000) : interval);
      });
  };
  timer = setTimeout(tick, 0);

  return {
    flush,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
