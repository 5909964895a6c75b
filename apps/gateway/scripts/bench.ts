/**
 * Issue 17, "Fast where users feel it": one run that measures every goal and prints one table
 * (each goal with its raw figures, the ratio, the goal, and whether it holds). Not a timed test.
 *
 * It starts what it needs and removes it at the end: PostgreSQL databases of its own on the
 * server at BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres), a Kafka
 * broker of its own (scripts/kafka.sh, ports BENCH_KAFKA_PORT / BENCH_KAFKA_CONTROLLER_PORT,
 * default 39092 / 39093, state in a temporary directory), the four subgraphs as processes
 * (scripts/bench/subgraph-process.ts), our gateway as production runs it (src/main.ts,
 * NODE_ENV=production) and a stock @apollo/gateway with default settings
 * (scripts/bench/stock-gateway.ts) over the same subgraphs. It loads a data set (customers,
 * loans, instalments, interactions, tasks, loyalty accounts) set-based in SQL, then runs the
 * comparisons interleaved (the two sides of each alternate which goes first), BENCH_ROUNDS times,
 * and prints medians. Embedded mode's start-up is measured once per BENCH_EMBEDDED_RUNS.
 *
 * Goals:
 *   (a) events: applied throughput >= 0.5x a raw kafkajs producer on the same broker; end-to-end
 *       p99 <= 10x p50 (scripts/bench/events.ts);
 *   (b) Customer 360 at BENCH_CLIENTS (50) concurrent clients: requests/s >= 1.5x the stock
 *       gateway's; gateway p99 <= 2x the slowest subgraph's p99 when its part is sent straight to it;
 *   (c) <= 2 SQL statements per subgraph per federated list query (50 customers with their loans,
 *       interactions, tasks and loyalty);
 *   (d) registerCustomer through the gateway >= 0.5x straight to the subgraph; the subgraph >= 0.25x
 *       the same statements by a bare `pg` client in transactions of the same shape;
 *   (e) embedded mode: first answer <= 15 s on a fresh data directory, <= 5 s on a restart, idle
 *       memory <= 600 MB;
 *   (f) holding today: a deep keyset page costs what page 0 does; a crawl through the gateway keeps
 *       up with the subgraph; the end-of-day run is a few set-wise statements (a small multiple of
 *       one UPDATE of the same instalments).
 *
 * Usage: nice -n 10 pnpm bench. Settings (env, small defaults so a run takes minutes):
 *   BENCH_ROUNDS (3), BENCH_CUSTOMERS (10000), BENCH_INSTALMENTS (60000), BENCH_CLIENTS (50),
 *   BENCH_SECONDS (8: each load), BENCH_WRITERS (8), BENCH_WRITE_SECONDS (5), BENCH_EVENTS (3000:
 *   the outbox backlog), BENCH_EVENTS_WRITERS (32), BENCH_EVENTS_SECONDS (8), BENCH_EMBEDDED_RUNS (1),
 *   BENCH_ONLY (a comma list of events,gateway,statements,mutations,bi,eod,embedded: run only those),
 *   BENCH_CPU_PROF (a directory: both gateways write a CPU profile there, node --cpu-prof),
 *   BENCH_LOG_DIR (a directory: the end of each process's log is written there).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Producer } from '@crm/events';
import { authSettings, createLogger, GATEWAY_CREDENTIAL_HEADER, gatewayCredentials, type Identity, signToken } from '@crm/service-kit';
import pg from 'pg';
import { startGateway } from '../src/gateway.ts';
import { crawl, graphqlClient, listsOf, loadDataSet, pageMs, SERVICES } from './bench/bi.ts';
import { C360, C360_LIST, closedLoop, DIRECT, loadCustomer360, statementProxies } from './bench/customer360.ts';
import { measureEmbeddedRun } from './bench/embedded.ts';
import { endOfDay, oneUpdate } from './bench/eod.ts';
import { applied, type EventsBench, endToEnd, rawProducer } from './bench/events.ts';
import {
  type Broker,
  type Child,
  createDatabase,
  databaseUrl,
  dropDatabase,
  freePort,
  GATEWAY_DIR,
  REPO,
  startChild,
  startKafka,
  untilReady,
} from './bench/infra.ts';
import { type RecordedStatement, registerThrough, replayRegistration, writers } from './bench/mutations.ts';
import { fixed, int, Samples, table } from './bench/stats.ts';

const setting = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const ROUNDS = setting('BENCH_ROUNDS', 3);
const size = { customers: setting('BENCH_CUSTOMERS', 10_000), instalments: setting('BENCH_INSTALMENTS', 60_000) };
const CLIENTS = setting('BENCH_CLIENTS', 50);
const SECONDS = setting('BENCH_SECONDS', 8);
const WRITERS = setting('BENCH_WRITERS', 8);
const WRITE_SECONDS = setting('BENCH_WRITE_SECONDS', 5);
const EMBEDDED_RUNS = setting('BENCH_EMBEDDED_RUNS', 1);
const only = new Set((process.env.BENCH_ONLY ?? 'events,gateway,statements,mutations,bi,eod,embedded').split(',').map((s) => s.trim()));
const run = randomBytes(3).toString('hex');
const dbName = (what: string) => `crm_bench_${run}_${what}`;
const jwtSecret = randomBytes(24).toString('hex');
const gatewaySecret = randomBytes(24).toString('hex');
const auth = authSettings(jwtSecret, { gatewaySecret });
const admin: Identity = { userId: 'bench-admin', roles: ['administrator'] };
const log = (line: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const started = Date.now();
const loads: number[] = [];
const noteLoad = () => loads.push(loadavg()[0] ?? 0);

const cleanup: (() => Promise<unknown>)[] = [];
const children: { name: string; child: Child }[] = [];
const samples = new Samples();
const facts = new Map<string, string>();
let embedded: { fresh: number[]; restart: number[]; memory: number[] } = { fresh: [], restart: [], memory: [] };

try {
  // ---- what the bench needs ----
  const databases = [...SERVICES, 'events'];
  for (const d of databases) await createDatabase(dbName(d));
  cleanup.push(async () => {
    for (const d of databases) await dropDatabase(dbName(d)).catch((error: unknown) => log(`drop ${d}: ${error}`));
  });
  const urlOf = (s: string) => databaseUrl(dbName(s));
  const pools = new Map<Producer, pg.Pool>(SERVICES.map((s) => [s, new pg.Pool({ connectionString: urlOf(s), max: WRITERS + 2 })]));
  const pool = (s: Producer) => pools.get(s) as pg.Pool;
  cleanup.push(async () => {
    for (const p of pools.values()) await p.end().catch(() => undefined);
  });

  let broker: Broker | undefined;
  if (only.has('events')) {
    const home = mkdtempSync(join(tmpdir(), 'crm-bench-kafka-'));
    log(`starting Kafka (scripts/kafka.sh, state in ${home})`);
    broker = await startKafka(home, setting('BENCH_KAFKA_PORT', 39092), setting('BENCH_KAFKA_CONTROLLER_PORT', 39093));
    cleanup.push(async () => {
      await broker?.stop().catch((error: unknown) => log(`kafka stop: ${error}`));
      rmSync(home, { recursive: true, force: true });
    });
  }

  const tsEntry = (file: string, args: string[], env: NodeJS.ProcessEnv): Child => {
    const merged: NodeJS.ProcessEnv = { ...process.env, ...env };
    // Events in process (no broker), and only the database given.
    for (const name of ['KAFKA_BROKERS', 'DATABASE_URL', 'TEST_DATABASE_URL']) if (!env[name]) delete merged[name];
    const child = startChild('sh', [`${REPO}scripts/run-ts.sh`, file, ...args], { cwd: GATEWAY_DIR, env: merged });
    cleanup.push(async () => {
      await child.stop();
      // BENCH_LOG_DIR=<dir>: what each process logged (its last 200 kB), for a look afterwards.
      if (process.env.BENCH_LOG_DIR)
        writeFileSync(join(process.env.BENCH_LOG_DIR, `${[file, ...args].join(' ').replace(/[^\w.-]+/g, '_')}.log`), child.output());
    });
    children.push({ name: [file, ...args].join(' '), child });
    return child;
  };
  const secrets = { JWT_SECRET: jwtSecret, GATEWAY_SECRET: gatewaySecret, LOG_LEVEL: 'warn' };
  const subgraphUrl = {} as Record<Producer, string>;
  log('starting the four subgraphs');
  await Promise.all(
    SERVICES.map(async (s) => {
      const port = await freePort();
      const child = tsEntry('scripts/bench/subgraph-process.ts', [s], { ...secrets, DATABASE_URL: urlOf(s), PORT: String(port) });
      subgraphUrl[s] = `http://127.0.0.1:${port}/graphql`;
      await untilReady(`http://127.0.0.1:${port}/readyz`, child);
    }),
  );

  log(`loading ${int(size.customers)} customers, ${int(size.instalments)} instalments and their Customer 360`);
  await loadDataSet(pool, size);
  await loadCustomer360(pool, size.customers);

  const subgraphEnv = Object.fromEntries(SERVICES.map((s) => [`${s.toUpperCase()}_URL`, subgraphUrl[s]]));
  // BENCH_CPU_PROF=<dir>: both gateways write a CPU profile there when they stop (node --cpu-prof).
  const profile = process.env.BENCH_CPU_PROF ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env.BENCH_CPU_PROF}` } : {};
  const oursPort = await freePort();
  const ours = tsEntry('src/main.ts', [], {
    ...profile,
    ...secrets,
    ...subgraphEnv,
    NODE_ENV: 'production',
    AUTH_REQUIRED: 'true',
    PORT: String(oursPort),
    // Load tests are thousands of requests a minute from one user: the per-user rate limit is lifted.
    RATE_LIMIT_PER_MINUTE: '100000000',
  });
  const stockPort = await freePort();
  const stock = tsEntry('scripts/bench/stock-gateway.ts', [], { ...profile, ...secrets, ...subgraphEnv, PORT: String(stockPort) });
  await untilReady(`http://127.0.0.1:${oursPort}/readyz`, ours);
  const oursUrl = `http://127.0.0.1:${oursPort}/graphql`;
  const stockUrl = `http://127.0.0.1:${stockPort}/`;
  for (;;) {
    const res = await fetch(stockUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' }).catch(
      () => null,
    );
    if (res?.ok) break;
    if (stock.process.exitCode !== null) throw new Error(`stock gateway exited:\n${stock.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }

  const token = await signToken(admin, auth, '24h');
  const credential = gatewayCredentials(gatewaySecret);
  const asCaller = async () => ({ authorization: `Bearer ${token}` });
  const asGateway = async () => ({ authorization: `Bearer ${token}`, [GATEWAY_CREDENTIAL_HEADER]: await credential() });
  const client = graphqlClient(token, credential, GATEWAY_CREDENTIAL_HEADER);
  // Every part of the Customer 360 answers (no error) before anything is timed.
  for (const [name, url] of [
    ['ours', oursUrl],
    ['stock', stockUrl],
  ] as const) {
    await client.post(url, false, C360, { id: 'C1' });
    const t = performance.now();
    await client.post(url, false, C360, { id: 'C2' });
    log(`one Customer 360 alone through ${name}: ${fixed(performance.now() - t, 1)} ms`);
  }

  // (c): our gateway in this process, in front of proxies that add up each subgraph's statements.
  const proxies = await statementProxies(subgraphUrl);
  cleanup.push(() => proxies.close());
  const counting = await startGateway({
    subgraphUrls: proxies.urls,
    port: 0,
    auth,
    devIdentity: null,
    sandbox: false,
    production: true,
    limits: { ratePerMinute: 100_000_000 },
    logger: createLogger('gateway', 'silent'),
  });
  cleanup.push(() => counting.stop());

  // (d): the statements of one registration, for the bare client (recorded in a process of its own).
  let recorded: RecordedStatement[] = [];
  if (only.has('mutations')) {
    const recorder = tsEntry('scripts/bench/record-registration-process.ts', [], { ...secrets, LOG_LEVEL: 'silent', DATABASE_URL: urlOf('customers') });
    const code = await new Promise<number | null>((resolve) => recorder.process.once('exit', resolve));
    const line = recorder
      .output()
      .split('\n')
      .find((l) => l.startsWith('[{'));
    if (code !== 0 || !line) throw new Error(`recording a registration failed:\n${recorder.output()}`);
    recorded = JSON.parse(line) as RecordedStatement[];
  }
  facts.set('registration statements', String(recorded.length));

  const eod = only.has('eod') ? await endOfDay(urlOf('credit')) : undefined;
  if (eod) cleanup.push(() => eod.close());
  const instalments = listsOf(size).find((l) => l.name === 'instalments');
  if (!instalments) throw new Error('no instalments list');
  const eventsBench: EventsBench | undefined = broker && {
    brokers: broker.brokers,
    url: urlOf('events'),
    run,
    backlog: setting('BENCH_EVENTS', 3_000),
    writers: setting('BENCH_EVENTS_WRITERS', 32),
    loadMs: setting('BENCH_EVENTS_SECONDS', 8) * 1000,
  };

  // ---- the rounds ----
  for (let round = 1; round <= ROUNDS; round++) {
    const flip = round % 2 === 0;
    const ordered = <T>(xs: T[]) => (flip ? [...xs].reverse() : xs);
    log(`round ${round} of ${ROUNDS} (load ${fixed(loadavg()[0] ?? 0, 1)})`);
    noteLoad();

    if (eventsBench) {
      for (const side of ordered(['raw', 'applied'])) {
        if (side === 'raw') samples.add('events raw', await rawProducer(eventsBench, `bench-${run}-r${round}`));
        else samples.add('events applied', await applied(eventsBench, 'set-based', `bench-${run}-a${round}`));
      }
      const e2e = await endToEnd(eventsBench, 'set-based', `bench-${run}-e${round}`);
      samples.add('events p50', e2e.p50);
      samples.add('events p99', e2e.p99);
      log(
        `  events: raw ${int(samples.last('events raw') ?? 0)}/s, applied ${int(samples.last('events applied') ?? 0)}/s, p50/p99 ${int(e2e.p50)}/${int(e2e.p99)} ms`,
      );
    }

    if (only.has('gateway')) {
      const load = (url: string, headers: () => Promise<Record<string, string>>, query: string, variables: (id: string) => Record<string, unknown>) =>
        closedLoop({ url, headers, query, variables, customers: size.customers, clients: CLIENTS, seconds: SECONDS });
      for (const side of ordered(['ours', 'stock'])) {
        const r = await load(side === 'ours' ? oursUrl : stockUrl, asCaller, C360, (id) => ({ id }));
        samples.add(`c360 ${side} rps`, r.rps);
        samples.add(`c360 ${side} p99`, r.p99);
        samples.add(`c360 ${side} p50`, r.p50);
        samples.add(`c360 ${side} errors`, r.errors / Math.max(1, r.errors + r.requests));
      }
      for (const s of ordered([...SERVICES])) {
        const r = await load(subgraphUrl[s], asGateway, DIRECT[s].query, DIRECT[s].variables);
        samples.add(`direct ${s} p99`, r.p99);
        samples.add(`direct ${s} rps`, r.rps);
        samples.add(`direct ${s} errors`, r.errors / Math.max(1, r.errors + r.requests));
      }
      log(`  customer 360: ours ${int(samples.last('c360 ours rps') ?? 0)}/s, stock ${int(samples.last('c360 stock rps') ?? 0)}/s`);
    }

    if (only.has('statements')) {
      await client.post(counting.graphqlUrl, false, C360_LIST);
      proxies.reset();
      await client.post(counting.graphqlUrl, false, C360_LIST);
      for (const [s, c] of Object.entries(proxies.counts())) {
        samples.add(`statements ${s}`, c.statements);
        samples.add(`calls ${s}`, c.calls);
      }
    }

    if (only.has('mutations')) {
      for (const side of ordered(['gateway', 'subgraph', 'bare'])) {
        const op =
          side === 'gateway'
            ? registerThrough(oursUrl, asCaller)
            : side === 'subgraph'
              ? registerThrough(subgraphUrl.customers, asGateway)
              : () => replayRegistration(pool('customers'), recorded);
        samples.add(`register ${side}`, await writers(WRITERS, WRITE_SECONDS, op));
      }
      log(
        `  registrations/s: gateway ${int(samples.last('register gateway') ?? 0)}, subgraph ${int(samples.last('register subgraph') ?? 0)}, bare ${int(samples.last('register bare') ?? 0)}`,
      );
    }

    if (only.has('bi')) {
      let lastAfter: string | null = null;
      for (const direct of ordered([false, true])) {
        const c = await crawl(client, direct ? subgraphUrl.credit : oursUrl, direct, instalments, `round ${round}: crawl ${direct ? 'subgraph' : 'gateway'}`);
        samples.add(`crawl ${direct ? 'subgraph' : 'gateway'}`, (c.rows / c.ms) * 1000);
        lastAfter = c.lastAfter;
      }
      for (let k = 0; k < 5; k++) {
        for (const deep of ordered([false, true]))
          samples.add(`page ${deep ? 'deep' : 'first'}`, await pageMs(client, oursUrl, instalments, deep ? lastAfter : null));
      }
    }

    if (eod) {
      // A new business date each round, as each night's run.
      const asOf = new Date(Date.UTC(2025, 11, round)).toISOString().slice(0, 10);
      for (const side of ordered(['run', 'update'])) {
        if (side === 'run') samples.add('eod run', await eod.run(asOf));
        else {
          const u = await oneUpdate(pool('credit'), asOf);
          samples.add('eod update', u.ms);
          facts.set('eod rows', int(u.rows));
        }
      }
      log(`  end of day: run ${int(samples.last('eod run') ?? 0)} ms, one UPDATE ${int(samples.last('eod update') ?? 0)} ms`);
    }
  }

  if (only.has('embedded')) {
    embedded = { fresh: [], restart: [], memory: [] };
    for (let i = 0; i < EMBEDDED_RUNS; i++) {
      const dataDir = mkdtempSync(join(tmpdir(), 'crm-bench-embedded-'));
      try {
        noteLoad();
        const fresh = await measureEmbeddedRun('fresh', dataDir, 15);
        const again = await measureEmbeddedRun('restart', dataDir, 15);
        embedded.fresh.push(fresh.firstAnswerMs / 1000);
        embedded.restart.push(again.firstAnswerMs / 1000);
        embedded.memory.push(fresh.idleRssMb, again.idleRssMb);
        log(`  embedded: fresh ${fixed(fresh.firstAnswerMs / 1000, 1)} s, restart ${fixed(again.firstAnswerMs / 1000, 1)} s, ${again.idleRssMb} MB`);
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
  }
} catch (error) {
  // What the processes said, to see why.
  for (const child of children) log(`--- ${child.name}:\n${child.child.output().slice(-3000)}`);
  throw error;
} finally {
  for (const step of cleanup.reverse()) await step().catch((error: unknown) => log(`cleanup: ${error}`));
}

// ---- the table ----
const m = (name: string) => samples.median(name);
const rows: string[][] = [['goal', 'raw figures (medians)', 'ratio', 'goal', 'holds']];
const verdict = (ok: boolean) => (ok ? 'yes' : 'NO');
/** `; errors: ours 2.1%` for the sides that had failed requests (a deadline, a pool timeout). */
const errorsOf = (sides: string[]) => {
  const failed = sides.filter((side) => Math.max(0, ...samples.all(`${side} errors`)) > 0);
  return failed.length ? `; failed requests: ${failed.map((side) => `${side} ${fixed(100 * Math.max(...samples.all(`${side} errors`)), 1)}%`).join(', ')}` : '';
};
const ratioRow = (what: string, figures: string, ratio: number, goal: string, ok: (r: number) => boolean) =>
  rows.push([what, figures, fixed(ratio), goal, Number.isFinite(ratio) ? verdict(ok(ratio)) : '?']);
if (samples.all('events raw').length) {
  ratioRow(
    '(a) events applied / raw kafkajs producer',
    `${int(m('events applied'))}/s vs ${int(m('events raw'))}/s (${int(setting('BENCH_EVENTS', 3_000))} waiting)`,
    m('events applied') / m('events raw'),
    '>= 0.5',
    (r) => r >= 0.5,
  );
  ratioRow(
    '(a) events commit -> applied p99 / p50',
    `${int(m('events p99'))} / ${int(m('events p50'))} ms`,
    m('events p99') / m('events p50'),
    '<= 10',
    (r) => r <= 10,
  );
}
if (samples.all('c360 ours rps').length) {
  ratioRow(
    `(b) Customer 360 req/s, ours / stock @apollo/gateway (${CLIENTS} clients)`,
    `${int(m('c360 ours rps'))} vs ${int(m('c360 stock rps'))}/s (p99 ${int(m('c360 ours p99'))} vs ${int(m('c360 stock p99'))} ms${errorsOf(['c360 ours', 'c360 stock'])})`,
    m('c360 ours rps') / m('c360 stock rps'),
    '>= 1.5',
    (r) => r >= 1.5,
  );
  const slowest = SERVICES.reduce((a, b) => (m(`direct ${a} p99`) >= m(`direct ${b} p99`) ? a : b));
  ratioRow(
    '(b) gateway p99 / slowest subgraph p99 (its part sent straight)',
    `${int(m('c360 ours p99'))} vs ${int(m(`direct ${slowest} p99`))} ms (${slowest}; ${SERVICES.map((s) => `${s} ${int(m(`direct ${s} p99`))}`).join(', ')}${errorsOf(SERVICES.map((s) => `direct ${s}`))})`,
    m('c360 ours p99') / m(`direct ${slowest} p99`),
    '<= 2',
    (r) => r <= 2,
  );
}
if (samples.all('statements customers').length) {
  const most = Math.max(...SERVICES.map((s) => m(`statements ${s}`)));
  rows.push([
    '(c) SQL statements per subgraph, one federated list query (50 customers)',
    SERVICES.map((s) => `${s} ${m(`statements ${s}`)} in ${m(`calls ${s}`)} call(s)`).join(', '),
    String(most),
    '<= 2',
    verdict(most <= 2),
  ]);
}
if (samples.all('register gateway').length) {
  ratioRow(
    `(d) registerCustomer/s through the gateway / straight to the subgraph (${WRITERS} writers)`,
    `${int(m('register gateway'))} vs ${int(m('register subgraph'))}/s`,
    m('register gateway') / m('register subgraph'),
    '>= 0.5',
    (r) => r >= 0.5,
  );
  ratioRow(
    '(d) registerCustomer/s, subgraph / bare pg (same statements and transactions)',
    `${int(m('register subgraph'))} vs ${int(m('register bare'))}/s (${facts.get('registration statements')} statements a transaction)`,
    m('register subgraph') / m('register bare'),
    '>= 0.25',
    (r) => r >= 0.25,
  );
}
if (embedded.fresh.length) {
  const fresh = Math.max(...embedded.fresh);
  const restart = Math.max(...embedded.restart);
  const memory = Math.max(...embedded.memory);
  rows.push(['(e) embedded: start to first answer, fresh data directory', `${fixed(fresh, 1)} s`, '', '<= 15 s', verdict(fresh <= 15)]);
  rows.push(['(e) embedded: start to first answer, restart', `${fixed(restart, 1)} s`, '', '<= 5 s', verdict(restart <= 5)]);
  rows.push(['(e) embedded: memory after 15 s idle (process tree)', `${memory} MB`, '', '<= 600 MB', verdict(memory <= 600)]);
}
if (samples.all('page first').length) {
  ratioRow(
    `(f) deep page: instalments page at row ~${int(size.instalments - 500)} / page 0 (gateway)`,
    `${fixed(m('page deep'), 1)} vs ${fixed(m('page first'), 1)} ms`,
    m('page deep') / m('page first'),
    '<= 2',
    (r) => r <= 2,
  );
  ratioRow(
    `(f) crawl ${int(size.instalments)} instalments: gateway / subgraph`,
    `${int(m('crawl gateway'))} vs ${int(m('crawl subgraph'))} rows/s`,
    m('crawl gateway') / m('crawl subgraph'),
    '>= 0.5',
    (r) => r >= 0.5,
  );
}
if (samples.all('eod run').length) {
  ratioRow(
    `(f) end of day over ${int(size.instalments)} instalments / one set-based UPDATE`,
    `${int(m('eod run'))} vs ${int(m('eod update'))} ms (${facts.get('eod rows')} rows updated)`,
    m('eod run') / m('eod update'),
    '<= 10',
    (r) => r <= 10,
  );
}
const minutes = ((Date.now() - started) / 60_000).toFixed(1);
console.log(
  `\nIssue 17 benchmark: ${ROUNDS} rounds, ${int(size.customers)} customers, ${int(size.instalments)} instalments; ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}; load average (1 min) ${fixed(Math.min(...loads), 1)}-${fixed(Math.max(...loads), 1)}; ${minutes} min`,
);
console.log(table(rows));
process.exit(0);
