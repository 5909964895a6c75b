/**
 * Embedded PostgreSQL (PGlite), shared: one instance can hold every service, each in its own
 * schema, as a PostgreSQL server holds them in distributed mode.
 *
 * PGlite is one single-user backend: one session, one search_path, one transaction at a time.
 * So the instance is leased whole: a Kysely connection takes the instance's lock when acquired
 * and keeps it until released, which for a transaction is after its commit or rollback. Another
 * service's statements wait for the lock and never run inside someone else's transaction. On
 * acquiring, the lease points search_path at the holder's schema (one `set` when the schema
 * changes, not per statement). Code must not use a second connection while holding one (it would
 * wait for itself), the same rule as a service on a PGlite of its own; nor, holding one, wait for
 * another service's database work (the relay publishes in-process without holding a connection).
 *
 * A fresh instance starts from a snapshot of an empty, initialised cluster instead of running
 * initdb (the dominant cost: several seconds, a second WebAssembly instance). The snapshot is
 * made once per PGlite version and kept in node_modules/.cache/crm-pglite (PGLITE_CACHE_DIR).
 */
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

// Same parsing as pg in db.ts: numeric, int8 and date stay strings (money never becomes a JS number).
const parsers = { 1700: (v: string) => v, 20: (v: string) => v, 1082: (v: string) => v };

const require = createRequire(import.meta.url);
const pgliteVersion = (): string => {
  const main = require.resolve('@electric-sql/pglite');
  return (JSON.parse(readFileSync(join(dirname(main), '../package.json'), 'utf8')) as { version: string }).version;
};

/** Where snapshots are kept: PGLITE_CACHE_DIR, else the workspace's node_modules/.cache. */
export function pgliteCacheDir(): string {
  return process.env.PGLITE_CACHE_DIR ?? fileURLToPath(new URL('../../../node_modules/.cache/crm-pglite/', import.meta.url));
}

/** Writes a file whole or not at all: concurrent writers (parallel test workers) never expose half a file. */
export function writeFileAtomic(path: string, data: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const partial = `${path}.${process.pid}.${randomBytes(3).toString('hex')}.partial`;
  writeFileSync(partial, data);
  renameSync(partial, path);
}

function readIfExists(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** The data directory of a freshly initialised cluster, as a tarball; made (initdb) on first use. */
export async function initdbSnapshot(): Promise<Blob> {
  const path = join(pgliteCacheDir(), `initdb-${pgliteVersion()}.tar`);
  const cached = readIfExists(path);
  if (cached) return new Blob([cached]);
  const pglite = new PGlite({ parsers });
  await pglite.waitReady;
  const dump = await pglite.dumpDataDir('none');
  await pglite.close();
  const bytes = new Uint8Array(await dump.arrayBuffer());
  try {
    writeFileAtomic(path, bytes);
  } catch {
    // A read-only install still works, only without the shortcut.
  }
  return new Blob([bytes]);
}

/**
 * The same initialised cluster as a directory, for data directories on disk: copied into an empty
 * one, PGlite starts as on a restart (no tarball held in memory, no initdb).
 */
async function initdbDirectory(): Promise<string> {
  const path = join(pgliteCacheDir(), `initdb-${pgliteVersion()}`);
  if (existsSync(join(path, 'PG_VERSION'))) return path;
  const partial = `${path}.${process.pid}.${randomBytes(3).toString('hex')}.partial`;
  const pglite = new PGlite({ dataDir: partial, loadDataDir: await initdbSnapshot(), parsers });
  await pglite.waitReady;
  await pglite.close();
  try {
    renameSync(partial, path);
  } catch {
    // Another process made it first.
    rmSync(partial, { recursive: true, force: true });
  }
  return path;
}

/**
 * PostgreSQL's own cache inside the WebAssembly memory: 32 MB instead of 128 MB (PGlite's
 * default), since embedded mode and tests hold little data and the process's memory is what users
 * see; the operating system still caches the data directory's files.
 */
const START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB'];

/** A PGlite instance shared by the databases opened on it, closed with the last of them. */
export interface PGliteHost {
  readonly key: string;
  readonly pglite: PGlite;
  /** Waits for the instance; resolves with the release. */
  lock(): Promise<() => void>;
  /** The schema search_path points at (set by leases). */
  searchPath: string | undefined;
  users: number;
}

const hosts = new Map<string, Promise<PGliteHost>>();

/**
 * The instance behind `dataDir` (a directory on disk, or `memory://<name>`; in memory and unshared
 * when absent), started on first use. An empty directory starts from `template` (the path of a
 * tarball: a pre-migrated data directory) when given, else from the initialised-cluster snapshot.
 * Each acquisition is paired with a `releasePGliteHost`.
 */
export async function acquirePGliteHost(dataDir: string | undefined, template?: string): Promise<PGliteHost> {
  const key = dataDir ?? `memory://${randomBytes(8).toString('hex')}`;
  let host = hosts.get(key);
  if (!host) {
    host = startHost(key, dataDir, template);
    hosts.set(key, host);
    host.catch(() => hosts.delete(key));
  }
  const h = await host;
  h.users++;
  return h;
}

/** Gives back an acquisition; the last one closes the instance. */
export async function releasePGliteHost(host: PGliteHost): Promise<void> {
  host.users--;
  if (host.users > 0) return;
  hosts.delete(host.key);
  await host.pglite.close();
}

async function startHost(key: string, dataDir: string | undefined, template: string | undefined): Promise<PGliteHost> {
  const onDisk = dataDir !== undefined && !dataDir.startsWith('memory://');
  if (onDisk) mkdirSync(dataDir, { recursive: true });
  let fresh = !onDisk || !existsSync(join(dataDir, 'PG_VERSION'));
  if (onDisk && fresh && !template && readdirSync(dataDir).length === 0) {
    cpSync(await initdbDirectory(), dataDir, { recursive: true });
    fresh = false;
  }
  const templateBytes = fresh && template ? readIfExists(template) : undefined;
  const loadDataDir = fresh ? (templateBytes ? new Blob([templateBytes]) : await initdbSnapshot()) : undefined;
  const pglite = new PGlite({ ...(onDisk ? { dataDir } : {}), ...(loadDataDir ? { loadDataDir } : {}), parsers, startParams: START_PARAMS });
  await pglite.waitReady;
  let tail: Promise<void> = Promise.resolve();
  return {
    key,
    pglite,
    searchPath: undefined,
    users: 0,
    lock() {
      let release!: () => void;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const acquired = tail.then(() => release);
      tail = tail.then(() => held);
      return acquired;
    },
  };
}

/** Creates `schema` in the instance if it is missing. */
export async function ensurePGliteSchema(host: PGliteHost, schema: string): Promise<void> {
  const release = await host.lock();
  try {
    await host.pglite.exec(`create schema if not exists ${quoteIdent(schema)}`);
  } finally {
    release();
  }
}

/** Kysely on a (possibly shared) PGlite, in `schema` when given (created if missing). */
export function pgliteDialect(host: PGliteHost, schema: string | undefined): Dialect {
  return {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new LeasingDriver(host, schema),
    createQueryCompiler: () => new PostgresQueryCompiler(),
    createIntrospector: (db: Kysely<unknown>) => new PostgresIntrospector(db),
  };
}

class LeasedConnection implements DatabaseConnection {
  readonly host: PGliteHost;
  readonly release: () => void;
  constructor(host: PGliteHost, release: () => void) {
    this.host = host;
    this.release = release;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.host.pglite.query<R>(compiledQuery.sql, [...compiledQuery.parameters]);
    return result.affectedRows ? { numAffectedRows: BigInt(result.affectedRows), rows: result.rows } : { rows: result.rows };
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery, chunkSize = 100): AsyncIterableIterator<QueryResult<R>> {
    const { rows } = await this.executeQuery<R>(compiledQuery);
    for (let i = 0; i < rows.length; i += chunkSize) yield { rows: rows.slice(i, i + chunkSize) };
  }
}

class LeasingDriver implements Driver {
  readonly host: PGliteHost;
  readonly schema: string | undefined;
  constructor(host: PGliteHost, schema: string | undefined) {
    this.host = host;
    this.schema = schema;
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const release = await this.host.lock();
    const wanted = this.schema ?? 'public';
    if (this.host.searchPath !== wanted) {
      try {
        await this.host.pglite.exec(`set search_path to ${quoteIdent(wanted)}`);
        this.host.searchPath = wanted;
      } catch (error) {
        release();
        throw error;
      }
    }
    return new LeasedConnection(this.host, release);
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const level = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : '';
    await connection.executeQuery(CompiledQuery.raw(`start transaction${level}`));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as LeasedConnection).release();
  }

  /** The instance outlives this Kysely: it is given back by `releasePGliteHost`. */
  async destroy(): Promise<void> {}
}

export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`Invalid schema name: ${name}`);
  return `"${name}"`;
}
