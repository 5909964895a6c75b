import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import type { Logger } from './logger.ts';
import { type PGliteHost, quoteIdent } from './pglite.ts';
import { outsideRequestScope } from './statements.ts';

/** Stops listening. */
export type Unlisten = () => Promise<void>;

/**
 * LISTEN on PostgreSQL through a connection of its own (never one of the pool: a pooled
 * connection is closed when idle, and the LISTEN with it). A lost connection is replaced with
 * backoff; `onNotify` is called once it is back, for what was committed meanwhile.
 */
export async function listenOnPostgres(url: string, channel: string, onNotify: () => void, logger?: Logger): Promise<Unlisten> {
  let client: pg.Client | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  const connect = async (attempt: number): Promise<void> => {
    const c = new pg.Client({ connectionString: url, keepAlive: true });
    c.on('notification', (message) => {
      if (message.channel === channel) onNotify();
    });
    const lost = (error?: Error) => {
      if (stopped || client !== c) return;
      client = undefined;
      c.removeAllListeners('notification');
      void c.end().catch(() => undefined);
      logger?.warn({ err: error, channel }, 'outbox listener connection lost; reconnecting (the relay polls meanwhile)');
      retry = setTimeout(() => void connect(1).catch(() => undefined), 1_000);
    };
    c.on('error', lost);
    c.on('end', () => lost());
    client = c;
    try {
      await c.connect();
      await c.query(`listen ${quoteIdent(channel)}`);
      if (attempt > 0) onNotify();
    } catch (error) {
      if (attempt === 0) {
        client = undefined;
        await c.end().catch(() => undefined);
        throw error;
      }
      lost(error as Error);
    }
  };
  await connect(0);
  return async () => {
    stopped = true;
    clearTimeout(retry);
    await client?.end().catch(() => undefined);
    client = undefined;
  };
}

/**
 * LISTEN on an embedded PGlite: its one session gets the notifications of its own commits (the
 * outbox trigger's), delivered when the writing transaction commits. The LISTEN goes through
 * `db` (so it waits for the instance's lease, never inside another lease's transaction).
 */
export async function listenOnPGlite<DB>(host: PGliteHost, db: Kysely<DB>, channel: string, onNotify: () => void): Promise<Unlisten> {
  // delivered while PGlite answers someone's query: wake the relay outside that caller's scope
  const off = host.pglite.onNotification((ch) => {
    if (ch === channel) outsideRequestScope(onNotify);
  });
  try {
    await sql.raw(`listen ${quoteIdent(channel)}`).execute(db);
  } catch (error) {
    off();
    throw error;
  }
  return async () => {
    off();
  };
}
