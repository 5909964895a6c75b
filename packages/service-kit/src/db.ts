import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, type Migration, Migrator, PostgresDialect, sql } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import type { Logger } from './logger.ts';

// numeric and bigint come back as strings: money never passes through a JS number.
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => v);
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => v);
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export type DatabaseTarget =
  /** A PostgreSQL server; `schema` (optional) isolates this service inside a shared database. */
  | { kind: 'postgres'; url: string; schema?: string; poolSize?: number }
  /** Embedded PostgreSQL (PGlite): `dataDir` on disk, or in memory when absent. */
  | { kind: 'pglite'; dataDir?: string };

export interface Database<DB> {
  db: Kysely<DB>;
  target: DatabaseTarget;
  close(): Promise<void>;
}

/** Opens the database chosen by configuration. Both engines speak the same SQL through Kysely. */
export async function openDatabase<DB>(target: DatabaseTarget): Promise<Database<DB>> {
  if (target.kind === 'postgres') {
    if (target.schema) await ensureSchema(target.url, target.schema);
    const pool = new pg.Pool({
      connectionString: target.url,
      max: target.poolSize ?? 10,
      ...(target.schema ? { options: `-c search_path=${quoteIdent(target.schema)}` } : {}),
    });
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    return { db, target, close: () => db.destroy() };
  }
  if (target.dataDir) mkdirSync(target.dataDir, { recursive: true });
  // Same parsing as pg above: numeric, int8 and date stay strings.
  const parsers = { 1700: (v: string) => v, 20: (v: string) => v, 1082: (v: string) => v };
  const pglite = new PGlite({ ...(target.dataDir ? { dataDir: target.dataDir } : {}), parsers });
  await pglite.waitReady;
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
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

/** True when the database answers a trivial query. */
export async function isDatabaseReady<DB>(db: Kysely<DB>): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
