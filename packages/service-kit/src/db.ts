import { mkdirSync } from 'node:fs';
import { type HealthState, isTransientError } from '@crm/events';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, type Migration, Migrator, PostgresDialect, sql } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import type { Logger } from './logger.ts';
import { countStatement } from './statements.ts';

// numeric and bigint come back as strings: money never passes through a JS number.
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => v);
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => v);
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export type DatabaseTarget =
  /** A PostgreSQL server; `schema` (optional) isolates this service inside a shared database. */
  | {
      kind: 'postgres';
      url: string;
      schema?: string;
      poolSize?: number;
      /** How long a request waits for a connection before failing (default 5 s): fail fast in an outage. */
      connectTimeoutMs?: number;
    }
  /** Embedded PostgreSQL (PGlite): `dataDir` on disk, or in memory when absent. */
  | { kind: 'pglite'; dataDir?: string };

export interface Database<DB> {
  db: Kysely<DB>;
  target: DatabaseTarget;
  close(): Promise<void>;
}

/**
 * Opens the database chosen by configuration. Both engines speak the same SQL through Kysely.
 *
 * PostgreSQL faults are survived: a restart or outage makes pg emit 'error' on the pool (idle
 * connections) and on checked-out clients; both are handled here (an unhandled 'error' event
 * would end the process). The broken connection is dropped by the pool, the query that was using
 * it fails with a transient error (a client gets SERVICE_UNAVAILABLE, consumers and the relay
 * wait), and new connections are made as soon as the server is back.
 */
export async function openDatabase<DB>(target: DatabaseTarget, logger?: Logger): Promise<Database<DB>> {
  if (target.kind === 'postgres') {
    if (target.schema) await ensureSchema(target.url, target.schema);
    const pool = new pg.Pool({
      connectionString: target.url,
      max: target.poolSize ?? 10,
      connectionTimeoutMillis: target.connectTimeoutMs ?? 5_000,
      keepAlive: true,
      ...(target.schema ? { options: `-c search_path=${quoteIdent(target.schema)}` } : {}),
    });
    let lastLogged = 0;
    const onError = (where: 'idle' | 'checked out') => (error: Error) => {
      // One line per few seconds: a restart breaks every connection at once.
      if (Date.now() - lastLogged < 5_000) return;
      lastLogged = Date.now();
      logger?.warn({ err: error, where, transient: isTransientError(error) }, 'database connection lost; it is replaced on next use');
    };
    pool.on('error', onError('idle'));
    pool.on('connect', (client) => {
      client.on('error', onError('checked out'));
    });
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), log: countStatement });
    return { db, target, close: () => db.destroy() };
  }
  if (target.dataDir) mkdirSync(target.dataDir, { recursive: true });
  // Same parsing as pg above: numeric, int8 and date stay strings.
  const parsers = { 1700: (v: string) => v, 20: (v: string) => v, 1082: (v: string) => v };
  const pglite = new PGlite({ ...(target.dataDir ? { dataDir: target.dataDir } : {}), parsers });
  await pglite.waitReady;
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite), log: countStatement });
  return { db, target, close: () => db.destroy() };
}

async function ensureSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`create schema if not exists ${quoteIdent(schema)}`);
  } finally {
    await client.end();
  }
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`Invalid schema name: ${name}`);
  return `"${name}"`;
}

/** Runs the service's migrations (Kysely's migrator); stops start-up when one fails. */
export async function migrate<DB>(database: Database<DB>, migrations: Record<string, Migration>, logger?: Logger): Promise<void> {
  const schema = database.target.kind === 'postgres' ? database.target.schema : undefined;
  const migrator = new Migrator({
    db: database.db,
    provider: { getMigrations: async () => migrations },
    // With a schema per service in a shared database, the bookkeeping tables live in that schema too.
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  for (const r of results ?? []) {
    if (r.status === 'Success') logger?.info({ migration: r.migrationName }, 'migration applied');
    if (r.status === 'Error') logger?.error({ migration: r.migrationName }, 'migration failed');
  }
  if (error) throw error instanceof Error ? error : new Error(String(error));
}

/** True when the database answers a trivial query within the timeout. */
export async function isDatabaseReady<DB>(db: Kysely<DB>, timeoutMs = 2_000): Promise<boolean> {
  return (await checkDatabase(db, timeoutMs)).ok;
}

/** Readiness check of the database: a trivial query, bounded in time, with the error when it fails. */
export async function checkDatabase<DB>(db: Kysely<DB>, timeoutMs = 2_000): Promise<HealthState> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      sql`select 1`.execute(db),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message || error.name : String(error);
    return { ok: false, detail: typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message };
  } finally {
    clearTimeout(timer);
  }
}
