import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { eventOperationsMigrations, InProcessTransport, type Transport } from '@crm/events';
import type { Migration } from 'kysely';
import { authSettings, GATEWAY_CREDENTIAL_HEADER, type Identity, signGatewayCredential, signToken } from '../auth.ts';
import type { RequestContext } from '../context.ts';
import { type Database, type DatabaseTarget, migrate, openDatabase } from '../db.ts';
import { migrateEventOperations } from '../event-operations.ts';
import { acquirePGliteHost, releasePGliteHost, writeFileAtomic } from '../pglite.ts';
import { type RunningService, type ServiceDefinition, startService } from '../runtime.ts';

/**
 * The database a test runs on: PostgreSQL in a fresh schema when TEST_DATABASE_URL (or
 * DATABASE_URL) is set, so parallel suites never see each other's rows; else PGlite in memory, in
 * schema `schema` (default: the label). Targets given the same `instance` share one in-memory
 * PGlite (a stack's services, as in embedded mode); without, the target has an instance of its own.
 */
export function testDatabaseTarget(label: string, options: { instance?: string; schema?: string } = {}): DatabaseTarget {
  const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!url) {
    const instance = options.instance ?? `${label}-${randomBytes(6).toString('hex')}`;
    return { kind: 'pglite', dataDir: `memory://${instance}`, schema: options.schema ?? schemaName(label) };
  }
  return { kind: 'postgres', url, schema: `t_${label}_${randomBytes(4).toString('hex')}`, poolSize: 4 };
}

const schemaName = (label: string) =>
  label
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .replace(/^(?=[0-9])/, '_');

/** What a test template holds: schemas, the migrations run in each, and whether the event infrastructure's follow (as a service's runtime runs them). */
export type TemplateSpec = { schema: string; migrations: Record<string, Migration>; eventOperations: boolean }[];

/**
 * A PGlite data directory with `spec`'s migrations applied, as a tarball, made once per test run
 * and reused by every suite that needs the same (the vitest global setup names the run's
 * directory in CRM_TEST_TEMPLATE_DIR; without it, or on PostgreSQL, there is none and suites
 * migrate as usual). Suites start from it instead of running every migration; the service still
 * runs its migrator, which finds nothing to do (or applies what the template lacks).
 */
export async function testTemplate(spec: TemplateSpec): Promise<string | undefined> {
  const dir = process.env.CRM_TEST_TEMPLATE_DIR;
  if (!dir || process.env.TEST_DATABASE_URL || process.env.DATABASE_URL) return undefined;
  const hash = createHash('sha256');
  for (const { schema, migrations, eventOperations } of spec) {
    hash.update(`schema ${schema}\n`);
    for (const set of eventOperations ? [migrations, eventOperationsMigrations] : [migrations]) {
      for (const [name, m] of Object.entries(set)) hash.update(`${name}\n${String(m.up)}\n${String(m.down)}\n`);
    }
  }
  const path = join(dir, `${hash.digest('hex').slice(0, 24)}.tar`);
  if (existsSync(path)) return path;
  // Built in an instance of its own; parallel workers may both build it: the last rename wins, same content.
  const instance = `template-${randomBytes(6).toString('hex')}`;
  const host = await acquirePGliteHost(`memory://${instance}`);
  try {
    for (const { schema, migrations, eventOperations } of spec) {
      const database = await openDatabase({ kind: 'pglite', dataDir: `memory://${instance}`, schema });
      try {
        await migrate(database, migrations);
        if (eventOperations) await migrateEventOperations(database);
      } finally {
        await database.close();
      }
    }
    const release = await host.lock();
    try {
      const dump = await host.pglite.dumpDataDir('none');
      writeFileAtomic(path, new Uint8Array(await dump.arrayBuffer()));
    } finally {
      release();
    }
  } finally {
    await releasePGliteHost(host);
  }
  return path;
}

/** The template of one service as its runtime migrates it: its own migrations, then the event infrastructure's. */
export function serviceTemplateSpec(name: string, migrations: Record<string, Migration>): TemplateSpec {
  return [{ schema: name, migrations, eventOperations: true }];
}

/** `target`, started from the run's template of `spec` when it is a PGlite one. */
export async function fromTestTemplate(target: DatabaseTarget, spec: TemplateSpec): Promise<DatabaseTarget> {
  if (target.kind !== 'pglite') return target;
  const template = await testTemplate(spec);
  return template ? { ...target, template } : target;
}

/** Opens a test database and runs the service's real migrations on it (from the run's template on PGlite). */
export async function openTestDatabase<DB>(label: string, migrations: Record<string, Migration>): Promise<Database<DB>> {
  const target = testDatabaseTarget(label);
  const database = await openDatabase<DB>(await fromTestTemplate(target, [{ schema: target.schema ?? label, migrations, eventOperations: false }]));
  await migrate(database, migrations);
  return database;
}

export const TEST_JWT_SECRET = 'test-secret-test-secret-test-secret-0123';
/** Token rules of the tests: HS256 with the test secret, which also keys the gateway's credential. */
export const TEST_AUTH = authSettings(TEST_JWT_SECRET);

export const staff = {
  officer: { userId: 'officer-1', roles: ['loan_officer'], branchId: 'BR-001' } satisfies Identity,
  admin: { userId: 'admin-1', roles: ['administrator'] } satisfies Identity,
  analyst: { userId: 'analyst-1', roles: ['analyst'] } satisfies Identity,
};

export function bearer(identity: Identity, secret = TEST_JWT_SECRET): Promise<string> {
  return signToken(identity, secret).then((t) => `Bearer ${t}`);
}

export const TEST_METRICS_TOKEN = 'test-metrics-token-0123456789';

/** Polls `probe` until it returns a value that is not undefined, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A service started for a test on its own database and transport, with a GraphQL client. */
export interface TestService<DB> extends RunningService<DB> {
  graphql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, as?: Identity | null): Promise<GraphQLResponse<T>>;
}

export interface GraphQLResponse<T> {
  data?: T;
  errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
  /** `sqlStatements`: the SQL statements the request ran (test services report them). */
  extensions?: { sqlStatements?: { statements: number; audit: number } } & Record<string, unknown>;
}

/** POSTs a GraphQL operation; `as` signs a token for that identity (null: no token). */
export async function postGraphQL<T>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  as: Identity | null = staff.admin,
  secret = TEST_JWT_SECRET,
  /** Adds the gateway's credential: a test standing in for the gateway in front of one subgraph. */
  asGateway = false,
): Promise<GraphQLResponse<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (as) headers.authorization = await bearer(as, secret);
  if (asGateway) headers[GATEWAY_CREDENTIAL_HEADER] = await signGatewayCredential(secret);
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  return (await res.json()) as GraphQLResponse<T>;
}

export async function startTestService<DB, C extends RequestContext>(
  definition: ServiceDefinition<DB, C>,
  options: { transport?: Transport; label?: string } = {},
): Promise<TestService<DB>> {
  const target = testDatabaseTarget(options.label ?? definition.name, { schema: definition.name });
  const service = await startService(definition, {
    database: await fromTestTemplate(target, serviceTemplateSpec(definition.name, definition.migrations)),
    transport: options.transport ?? new InProcessTransport(),
    port: 0,
    auth: TEST_AUTH,
    metricsToken: TEST_METRICS_TOKEN,
    logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
    relayIntervalMs: 50,
    scheduleJobs: false,
    reportStatements: true,
  });
  return { ...service, graphql: (query, variables, as) => postGraphQL(service.url, query, variables, as, TEST_JWT_SECRET, true) };
}
