import { type HealthState, isTransientError } from '@crm/events';
import { Kysely, type Migration, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Logger } from './logger.ts';
import { listenOnPGlite, listenOnPostgres, type Unlisten } from './outbox-listener.ts';
import { acquirePGliteHost, ensurePGliteSchema, pgliteDialect, quoteIdent, releasePGliteHost } from './pglite.ts';
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
  /**
   * Embedded PostgreSQL (PGlite): `dataDir` on disk, `memory://<name>`, or in memory when absent.
   * Targets with the same `dataDir` share one instance (embedded mode: one PGlite, a schema per
   * service); `schema` isolates this service in it as on PostgreSQL. See pglite.ts.
   */
  | {
      kind: 'pglite';
      dataDir?: string;
      schema?: string;
      /** A tarball of a pre-migrated data directory to start an empty `dataDir` from (tests' templates). */
      template?: string;
    };

export interface Database<DB> {
  db: Kysely<DB>;
  target: DatabaseTarget;
  close(): Promise<void>;
  /** Calls `onNotify` on each notification of `channel` (LISTEN/NOTIFY), until the returned function is called. */
  listen?(channel: string, onNotify: () => void): Promise<Unlisten>;
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
    return { db, target, close: () => db.destroy(), listen: (channel, onNotify) => listenOnPostgres(target.url, channel, onNotify, logger) };
  }
  // Same parsing as pg above (numeric, int8 and date stay strings): see pglite.ts.
  const host = await acquirePGliteHost(target.dataDir, target.template);
  try {
    if (target.schema) await ensurePGliteSchema(host, target.schema);
  } catch (error) {
    await releasePGliteHost(host);
    throw error;
  }
  const db = new Kysely<DB>({ dialect: pgliteDialect(host, target.schema), log: countStatement });
  let closed: Promise<void> | undefined;
  const close = async () => {
    await db.destroy();
    await releasePGliteHost(host);
  };
  return {
    db,
    target,
    close: () => {
      closed ??= close();
      return closed;
    },
    listen: (channel, onNotify) => listenOnPGlite(host, db, channel, onNotify),
  };
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

/**
 * True when exactly these migrations are recorded as applied in `table`: start-up then skips the
 * migrator (its lock table and catalogue look-ups, slow on a cold PGlite): one query instead of
 * about ten. Anything else (no table yet, a missing or unknown migration) goes to the migrator.
 */
export async function isMigrated<DB>(database: Database<DB>, migrations: Record<string, Migration>, table = 'kysely_migration'): Promise<boolean> {
  const schema = database.target.schema;
  try {
    const { rows } = await sql<{ name: string }>`select name from ${sql.table(schema ? `${schema}.${table}` : table)}`.execute(database.db);
    const applied = new Set(rows.map((r) => r.name));
    const names = Object.keys(migrations);
    return applied.size === names.length && names.every((name) => applied.has(name));
  } catch {
    return false;
  }
}

/** Runs the service's migrations (Kysely's migrator); stops start-up when one fails. */
export async function migrate<DB>(database: Database<DB>, migrations: Record<string, Migration>, logger?: Logger): Promise<void> {
  if (await isMigrated(database, migrations)) return;
  const schema = database.target.schema;
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
