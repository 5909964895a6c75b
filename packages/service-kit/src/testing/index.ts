import { randomBytes } from 'node:crypto';
import { InProcessTransport, type Transport } from '@crm/events';
import type { Migration } from 'kysely';
import { authSettings, GATEWAY_CREDENTIAL_HEADER, type Identity, signGatewayCredential, signToken } from '../auth.ts';
import type { RequestContext } from '../context.ts';
import { type Database, type DatabaseTarget, migrate, openDatabase } from '../db.ts';
import { type RunningService, type ServiceDefinition, startService } from '../runtime.ts';

/**
 * The database a test runs on: PostgreSQL in a fresh schema when TEST_DATABASE_URL (or
 * DATABASE_URL) is set, so parallel suites never see each other's rows; else in-memory PGlite.
 */
export function testDatabaseTarget(label: string): DatabaseTarget {
  const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!url) return { kind: 'pglite' };
  return { kind: 'postgres', url, schema: `t_${label}_${randomBytes(4).toString('hex')}`, poolSize: 4 };
}

/** Opens a test database and runs the service's real migrations on it. */
export async function openTestDatabase<DB>(label: string, migrations: Record<string, Migration>): Promise<Database<DB>> {
  const database = await openDatabase<DB>(testDatabaseTarget(label));
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
  const service = await startService(definition, {
    database: testDatabaseTarget(options.label ?? definition.name),
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
