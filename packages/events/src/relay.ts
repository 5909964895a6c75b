import { AsyncResource } from 'node:async_hooks';
import { context, trace } from '@opentelemetry/api';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import { eventsPublished, outboxLag } from './metrics.ts';
import { outboxLagSeconds } from './operations.ts';
import { type AnyDb, eventTables } from './tables.ts';
import { contextOfTraceparent, failSpan, SpanKind, traceContextOf, tracer } from './tracing.ts';
import { backoffDelay } from './transient.ts';
import type { HealthState, Transport } from './transport.ts';

export interface RelayOptions {
  service: string;
  db: AnyDb;
  /** On PostgreSQL an advisory lock lets only one replica publish at a time; PGlite has one process. */
  engine: 'postgres' | 'pglite';
  transport: Transport;
  logger: Logger;
  namespace?: string;
  /**
   * Subscribes to commits of outbox rows (LISTEN/NOTIFY on PostgreSQL, the embedded engine's
   * notification in embedded mode): the relay drains on each wake-up; resolves with the unsubscribe.
   */
  listen?: (wake: () => void) => Promise<() => Promise<void>>;
  /** Polling period: the safety poll for missed notifications when `listen` is given (default 5 s), else the only trigger (250 ms). */
  intervalMs?: number;
  batchSize?: number;
  /** Cap of the backoff while publishing fails (broker or database unavailable). */
  maxBackoffMs?: number;
  /** How often the outbox lag gauge (crm_outbox_lag_seconds) is sampled (default 15 s). */
  lagSampleMs?: number;
}

export interface Relay {
  /** Publishes every pending outbox row now; resolves with how many were published. */
  flush(): Promise<number>;
  stop(): Promise<void>;
  /** Whether the last attempt to publish succeeded; the error and the next retry when not. */
  health(): HealthState;
}

/**
 * One PRODUCER span per event published, child of the trace context its envelope carries (the
 * `outbox write` span of the request or job that wrote it), so the publish joins that trace; each
 * message's `traceparent` header names its publish span, from which the consumers continue.
 */
async function withPublishSpans(
  topic: string,
  rows: readonly { id: string; type: string; traceparent: string | null; tracestate: string | null }[],
  publish: (traced: { traceparent?: string; tracestate?: string }[]) => Promise<void>,
): Promise<void> {
  const spans = rows.map((r) =>
    tracer().startSpan(
      `${topic} publish`,
      {
        kind: SpanKind.PRODUCER,
        attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': topic, 'messaging.message.id': r.id, 'crm.event.type': r.type },
      },
      contextOfTraceparent(r.traceparent ?? undefined, r.tracestate ?? undefined),
    ),
  );
  try {
    await publish(spans.map((span) => traceContextOf(trace.setSpan(context.active(), span))));
  } catch (error) {
    for (const span of spans) failSpan(span, error);
    throw error;
  } finally {
    for (const span of spans) span.end();
  }
}

/**
 * The relay's advisory lock: one per schema (the replicas of a service share its schema), so
 * services sharing a database in schemas of their own (tests, small installations) never wait
 * on each other's relay, and a wake-up is not lost to another service's drain.
 */
const RELAY_LOCK = sql<number>`hashtext('crm-relay:' || current_schema())`;

/**
 * Publishes outbox rows in commit order (by sequence) and marks them sent. A row is marked
 * only after the transport accepted it, so a broker outage delays events and never loses them
 * (consumers are idempotent, so a re-publish after a crash between send and mark is harmless).
 *
 * No database transaction stays open while the broker is called: rows are read, published, then
 * marked, each statement on its own. On PostgreSQL one replica relays at a time under a
 * session-level advisory lock held on one connection for the drain (not a transaction: a dropped
 * connection releases it, and a replica taking over re-publishes at most what was not yet marked).
 * Rows go out in sequence order and a failed chunk stops the drain, so order per key holds.
 */
export function startRelay(options: RelayOptions): Relay {
  const batchSize = options.batchSize ?? 500;
  const prefix = options.namespace ? `${options.namespace}.` : '';
  const interval = options.intervalMs ?? (options.listen ? 5_000 : 250);
  const maxBackoff = options.maxBackoffMs ?? 5_000;
  let running: Promise<number> | null = null;
  let stopped = false;
  let failures = 0;
  let failing: { since: Date; error: string; retryInMs: number } | null = null;
  let standby = false;
  const lagSampleMs = options.lagSampleMs ?? 15_000;
  let lastLagSample = 0;
  let sampling = false;

  /** One cheap query (the pending rows' partial index) at most every lagSampleMs, never blocking a drain. */
  function sampleLag(): void {
    if (sampling || Date.now() - lastLagSample < lagSampleMs) return;
    sampling = true;
    lastLagSample = Date.now();
    outboxLagSeconds(options.db)
      .then((seconds) => outboxLag.set({ service: options.service }, seconds))
      .catch(() => undefined)
      .finally(() => {
        sampling = false;
      });
  }

  async function publishBatch(db: AnyDb): Promise<number> {
    const outbox = eventTables(db);
    const rows = await outbox
      .selectFrom('event_outbox')
      // The envelope as text, published as stored (no JSON parse and re-serialisation per event in
      // the relay), and the two trace fields its publish span continues from, read by the database.
      .select([
        'seq',
        'id',
        'topic',
        'key',
        'type',
        sql<string>`event::text`.as('value'),
        sql<string | null>`event->>'traceparent'`.as('traceparent'),
        sql<string | null>`event->>'tracestate'`.as('tracestate'),
      ])
      .where('published_at', 'is', null)
      .orderBy('seq')
      .limit(batchSize)
      .execute();
    if (!rows.length) return 0;
    // Consecutive rows of the same topic go in one send; order across rows is kept. Each chunk
    // is marked as soon as it is accepted, so a later failure re-publishes nothing before it.
    let start = 0;
    while (start < rows.length) {
      const topic = rows[start]?.topic;
      let end = start;
      while (end < rows.length && rows[end]?.topic === topic) end++;
      const chunk = rows.slice(start, end);
      await withPublishSpans(`${prefix}${topic}`, chunk, (traced) =>
        options.transport.publish(
          `${prefix}${topic}`,
          chunk.map((r, i) => ({ key: r.key, value: r.value, headers: { 'ce-type': r.type, ...traced[i] } })),
        ),
      );
      await outbox
        .updateTable('event_outbox')
        .set({ published_at: new Date() })
        .where(
          'seq',
          'in',
          chunk.map((r) => r.seq),
        )
        .execute();
      for (const r of chunk) eventsPublished.inc({ service: options.service, type: r.type });
      start = end;
    }
    return rows.length;
  }

  async function drainWith(db: AnyDb): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await publishBatch(db);
      total += n;
      if (n < batchSize || stopped) return total;
    }
  }

  async function drain(): Promise<number> {
    if (options.engine !== 'postgres') return drainWith(options.db);
    return options.db.connection().execute(async (conn) => {
      const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_lock(${RELAY_LOCK}) as locked`.execute(conn);
      standby = !rows[0]?.locked;
      if (standby) return 0;
      try {
        return await drainWith(conn);
      } finally {
        // A broken connection has already released the lock along with its session.
        await sql`select pg_advisory_unlock(${RELAY_LOCK})`.execute(conn).catch(() => undefined);
      }
    });
  }

  function flush(): Promise<number> {
    if (!running) {
      running = drain().finally(() => {
        running = null;
      });
    }
    return running;
  }

  let timer: NodeJS.Timeout | undefined;
  let ticking = false;
  /** A wake-up came during a drain: rows committed after its read are drained right after it. */
  let woken = false;
  const tick = () => {
    if (stopped) return;
    ticking = true;
    woken = false;
    let next = interval;
    flush()
      .then(() => {
        if (failing) options.logger.info({ failures, since: failing.since }, 'outbox relay publishing again');
        failures = 0;
        failing = null;
      })
      .catch((error: unknown) => {
        failures++;
        next = backoffDelay(failures, interval, maxBackoff);
        const message = error instanceof Error ? error.message : String(error);
        failing = { since: failing?.since ?? new Date(), error: message, retryInMs: next };
        options.logger.warn({ err: error, failures, delayMs: next }, `outbox relay could not publish; retrying in ${next} ms`);
      })
      .finally(() => {
        ticking = false;
        if (!stopped) sampleLag();
        // A wake-up during the drain runs the next one at once, unless publishing is failing (backoff).
        if (!stopped) timer = setTimeout(tick, woken && !failing ? 0 : next);
      });
  };
  timer = setTimeout(tick, 0);

  /**
   * A commit of outbox rows: drain now (or right after the drain under way), not at the next poll.
   * Run in the relay's own async context, not the committing request's (a notification arrives in
   * it on PGlite): the drain's spans and statements are not the request's.
   */
  const scope = new AsyncResource('crm-outbox-relay');
  const wake = () =>
    scope.runInAsyncScope(() => {
      if (stopped || failing) return;
      if (ticking) {
        woken = true;
        return;
      }
      clearTimeout(timer);
      timer = setTimeout(tick, 0);
    });
  let unlisten: Promise<(() => Promise<void>) | undefined> = Promise.resolve(undefined);
  if (options.listen) {
    unlisten = options.listen(wake).catch((error: unknown) => {
      options.logger.warn({ err: error }, `outbox relay cannot listen for commits; polling every ${interval} ms`);
      return undefined;
    });
  }

  return {
    flush,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await (await unlisten)?.().catch(() => undefined);
      await running?.catch(() => undefined);
    },
    health(): HealthState {
      if (failing) {
        return {
          ok: false,
          detail: `cannot publish since ${failing.since.toISOString()} (${failures} tries): ${failing.error}; next try in ${failing.retryInMs} ms`,
        };
      }
      return { ok: true, detail: standby ? 'standby: another replica holds the relay lock' : 'publishing' };
    },
  };
}
