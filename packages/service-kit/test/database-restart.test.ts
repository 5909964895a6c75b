import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEvent, type EventTables, eventOperationsMigrations, eventTablesMigration, InProcessTransport } from '@crm/events';
import { parse } from 'graphql';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_DIRECTIVES_SDL } from '../src/access.ts';
import { type RunningService, type ServiceContext, serviceContext, startService } from '../src/runtime.ts';
import { eventually, postGraphQL, TEST_AUTH, TEST_JWT_SECRET, testDatabaseTarget } from '../src/testing/index.ts';

/**
 * A PostgreSQL restart and a short outage, on a private cluster this test starts and stops (never
 * the shared server). Runs only where real PostgreSQL is configured, as in CI's PostgreSQL pass.
 */
const realPostgres = testDatabaseTarget('probe').kind === 'postgres';
const bin = existsSync('/usr/lib/postgresql')
  ? readdirSync('/usr/lib/postgresql')
      .map((v) => `/usr/lib/postgresql/${v}/bin`)
      .find((d) => existsSync(`${d}/pg_ctl`))
  : undefined;

interface DB extends EventTables {
  seen: { event_id: string; customer_id: string };
}

const migrations = {
  '0000_event_tables': eventTablesMigration,
  ...eventOperationsMigrations,
  '0001_seen': {
    // biome-ignore lint/suspicious/noExplicitAny: migration against an untyped database
    up: async (db: Kysely<any>) => {
      await db.schema
        .createTable('seen')
        .addColumn('event_id', 'text', (c) => c.primaryKey())
        .addColumn('customer_id', 'text', (c) => c.notNull())
        .execute();
    },
  },
};

const typeDefs = parse(`extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
${ACCESS_DIRECTIVES_SDL}
type Query { ping: String! @allow(roles: ["analyst"]) }`);

const data = (customerId: string) => ({
  customerId,
  kind: 'INDIVIDUAL' as const,
  displayName: `Customer ${customerId}`,
  status: 'ACTIVE' as const,
  branchId: 'BR-1',
  relationshipManagerId: 'rm-1',
  birthDate: null,
  registeredAt: '2026-11-23T10:00:00.000Z',
});

describe.runIf(realPostgres && bin)('a PostgreSQL restart and outage', () => {
  const port = 55432 + Math.floor(Math.random() * 2000);
  let dir = '';
  let service: RunningService<DB>;
  const asPostgres = (args: string[]) =>
    execFileSync('runuser', ['-u', 'postgres', '--', `${bin}/pg_ctl`, ...args], { stdio: 'pipe', timeout: 60_000 }).toString();
  const ctl = (...args: string[]) =>
    process.getuid?.() === 0 ? asPostgres(['-D', dir, ...args]) : execFileSync(`${bin}/pg_ctl`, ['-D', dir, ...args], { stdio: 'pipe' }).toString();
  const startCluster = () => ctl('-w', '-l', join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, 'start');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'crm-pg-'));
    chmodSync(dir, 0o777);
    const initdb = [`${bin}/initdb`, '-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8'];
    if (process.getuid?.() === 0) execFileSync('runuser', ['-u', 'postgres', '--', ...initdb], { stdio: 'pipe' });
    else execFileSync(initdb[0] as string, initdb.slice(1), { stdio: 'pipe' });
    dir = join(dir, 'data');
    startCluster();
    service = await startService<DB, ServiceContext<DB>>(
      {
        name: 'engagement',
        typeDefs,
        resolvers: {
          Query: {
            ping: async (_p: unknown, _a: unknown, ctx: ServiceContext<DB>) => {
              const { rows } = await sql<{ v: string }>`select 'pong'::text as v`.execute(ctx.db);
              return rows[0]?.v;
            },
          },
        },
        migrations,
        handlers: {
          CustomerRegistered: async (tx, event) => {
            await tx.insertInto('seen').values({ event_id: event.id, customer_id: event.data.customerId }).execute();
          },
        },
        jobs: [],
        context: serviceContext,
      },
      {
        database: { kind: 'postgres', url: `postgres://postgres@127.0.0.1:${port}/postgres`, poolSize: 4 },
        transport: new InProcessTransport(),
        port: 0,
        auth: TEST_AUTH,
        logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
        relayIntervalMs: 50,
        scheduleJobs: false,
      },
    );
  });

  afterAll(async () => {
    await service?.stop().catch(() => undefined);
    try {
      ctl('-m', 'immediate', 'stop');
    } catch {
      // already stopped
    }
    if (dir) rmSync(join(dir, '..'), { recursive: true, force: true });
  });

  const ping = () => postGraphQL<{ ping: string }>(service.url, '{ ping }', {}, { userId: 'a', roles: ['analyst'] }, TEST_JWT_SECRET, true);
  const readyz = async () => {
    const res = await fetch(service.url.replace(/\/graphql$/, '/readyz'));
    return { status: res.status, body: (await res.json()) as { checks: Record<string, { status: string }> } };
  };
  const emitRegistered = async (id: string) => {
    const event = createEvent('CustomerRegistered', { subject: id, data: data(id) });
    await service.db
      .insertInto('event_outbox')
      .values({ id: event.id, topic: 'crm.customers.v1', key: id, type: event.type, event: JSON.stringify(event) })
      .execute();
    return event.id;
  };
  const seen = () => service.db.selectFrom('seen').select(['event_id']).orderBy('event_id').execute();

  it('survives a fast restart, fails fast with a retryable error during an outage, and recovers by itself', async () => {
    // Warm the pool so idle and checked-out connections exist when the server goes away.
    await Promise.all([ping(), ping(), ping()]);
    const first = await emitRegistered('c1');
    await eventually(async () => ((await seen()).length === 1 ? true : undefined));

    ctl('-m', 'fast', '-w', '-l', join(dir, 'log'), 'restart', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`);
    await eventually(async () => ((await ping()).data?.ping === 'pong' ? true : undefined), 15_000, 200);

    ctl('-m', 'fast', '-w', 'stop');
    const started = Date.now();
    const during = await ping();
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(during.errors?.[0]?.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', retryable: true });
    const notReady = await readyz();
    expect(notReady.status).toBe(503);
    expect(notReady.body.checks.database?.status).toBe('down');

    startCluster();
    const back = Date.now();
    await eventually(async () => ((await ping()).data?.ping === 'pong' ? true : undefined), 15_000, 200);
    await eventually(async () => ((await readyz()).status === 200 ? true : undefined), 15_000, 200);
    expect(Date.now() - back).toBeLessThan(15_000);

    const second = await emitRegistered('c2');
    await eventually(async () => ((await seen()).length === 2 ? true : undefined));
    expect((await seen()).map((r) => r.event_id)).toEqual([first, second].sort());
    expect(await service.db.selectFrom('event_dead_letter').selectAll().execute()).toEqual([]);
  });
});
