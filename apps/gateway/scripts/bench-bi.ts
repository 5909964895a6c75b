/**
 * BI benchmark (issue 12, not a test): what a warehouse loader pointed at the API gets, on
 * PostgreSQL with the four services and the gateway in distributed mode (each subgraph on its own
 * HTTP port and database, the gateway in front; events in process, the crawl needs none):
 *   (a) a full crawl of `instalments(first: 500, after:)` and `customers(first: 500, after:)`
 *       through the gateway and sent straight to the subgraph (rows per second each, ratio);
 *   (b) the last page against the first (keyset: the ratio should stay near 1);
 *   (c) an incremental pull (`changedSince`) after 1,000 rows changed through SQL, from the
 *       cursor the previous pull ended on (time, and rows returned: 1,000).
 * Interleaved, `BENCH_BI_ROUNDS` rounds (default 3), medians. The data set is loaded set-based in
 * SQL (generate_series); the change-tracking columns take their defaults.
 *
 * Usage: pnpm bench:bi. Settings (env): BENCH_BI_CUSTOMERS (100000), BENCH_BI_INSTALMENTS
 * (1000000), BENCH_BI_ROUNDS (3), BENCH_DATABASE_URL (postgres://postgres@127.0.0.1:5432/postgres;
 * a database per service, crm_bench_bi_<run>_<service>, is created and dropped at the end).
 */
import { randomBytes } from 'node:crypto';
import { InProcessTransport, type Producer } from '@crm/events';
import { authSettings, GATEWAY_CREDENTIAL_HEADER, gatewayCredentials, type Identity, signToken } from '@crm/service-kit';
import pg from 'pg';
import { startStack } from '../src/stack.ts';
import { applyChange, CHANGES, crawl, type DataSetSize, graphqlClient, listsOf, loadDataSet, loansOf, PAGE, pageMs, pull, SERVICES } from './bench/bi.ts';
import { adminQuery, adminUrl, databaseUrl } from './bench/infra.ts';
import { median } from './bench/stats.ts';

const size: DataSetSize = { customers: Number(process.env.BENCH_BI_CUSTOMERS ?? 100_000), instalments: Number(process.env.BENCH_BI_INSTALMENTS ?? 1_000_000) };
const ROUNDS = Number(process.env.BENCH_BI_ROUNDS ?? 3);
const PAGE_SAMPLES = 5;
const run = randomBytes(3).toString('hex');
const dbName = (service: Producer) => `crm_bench_bi_${run}_${service}`;
const urlOf = (service: Producer) => databaseUrl(dbName(service), adminUrl());
const secret = 'bench-bi-secret-bench-bi-secret-bench-0';
/** A BI tool reads as an analyst: every branch, pseudonymised. */
const analyst: Identity = { userId: 'bench-bi', roles: ['analyst'] };

for (const s of SERVICES) await adminQuery(`create database ${dbName(s)}`);
const pools = new Map<Producer, pg.Pool>(SERVICES.map((s) => [s, new pg.Pool({ connectionString: urlOf(s), max: 2 })]));
const pool = (s: Producer) => pools.get(s) as pg.Pool;

let stack: Awaited<ReturnType<typeof startStack>> | undefined;
try {
  const bus = new InProcessTransport();
  stack = await startStack({
    database: (service) => ({ kind: 'postgres', url: urlOf(service), poolSize: 10 }),
    transport: () => bus,
    auth: authSettings(secret),
    devIdentity: null,
    // A warehouse crawl is thousands of requests a minute: the per-user rate limit is lifted here;
    // the cost limit stays the default (a 500-row page counts once: see apps/gateway/src/limits.ts).
    limits: { ratePerMinute: 100_000_000 },
    gatewayPort: 0,
    sandbox: false,
    logLevel: 'silent',
    relayIntervalMs: 250,
  });
  const gatewayUrl = stack.gatewayUrl;
  const subgraphUrl = { customers: stack.services.customers.url, credit: stack.services.credit.url };
  const client = graphqlClient(await signToken(analyst, secret, '24h'), gatewayCredentials(secret), GATEWAY_CREDENTIAL_HEADER);

  await loadDataSet(pool, size);
  const lists = listsOf(size);

  // The cursor a loader would hold after its initial load: a full changedSince pull from "*".
  const feedCursor = new Map<string, string>();
  const initialPull = new Map<string, { rows: number; ms: number }>();
  for (const list of lists) {
    const first = await pull(client, gatewayUrl, list, '*');
    feedCursor.set(list.name, first.cursor);
    initialPull.set(list.name, first);
  }

  // ---- the rounds, interleaved ----
  type Samples = { gateway: number[]; direct: number[]; first: number[]; last: number[]; pull: number[]; pulled: number[] };
  const samples = new Map<string, Samples>(lists.map((l) => [l.name, { gateway: [], direct: [], first: [], last: [], pull: [], pulled: [] }]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const list of lists) {
      const s = samples.get(list.name) as Samples;
      // Alternate which side goes first, so neither always gets the warmer cache.
      const order = round % 2 === 0 ? [false, true] : [true, false];
      let lastAfter: string | null = null;
      for (const direct of order) {
        const c = await crawl(
          client,
          direct ? subgraphUrl[list.service] : gatewayUrl,
          direct,
          list,
          `round ${round + 1}: ${list.name} ${direct ? 'subgraph' : 'gateway'}`,
        );
        (direct ? s.direct : s.gateway).push((c.rows / c.ms) * 1000);
        lastAfter = c.lastAfter;
      }
      for (let k = 0; k < PAGE_SAMPLES; k++) {
        s.first.push(await pageMs(client, gatewayUrl, list, null));
        s.last.push(await pageMs(client, gatewayUrl, list, lastAfter));
      }
      await applyChange(pool(list.service), list, round);
      const p = await pull(client, gatewayUrl, list, feedCursor.get(list.name) ?? '*');
      feedCursor.set(list.name, p.cursor);
      s.pull.push(p.ms);
      s.pulled.push(p.rows);
    }
  }
  // ---- the table ----
  const table: [string, string, string][] = [];
  const rate = (x: number) => `${Math.round(x).toLocaleString('en-US')} rows/s`;
  for (const list of lists) {
    const s = samples.get(list.name) as Samples;
    const n = list.total.toLocaleString('en-US');
    table.push([
      `${list.name}: full crawl (${n} rows, first: ${PAGE}) through the gateway`,
      rate(median(s.gateway)),
      `${(median(s.gateway) / median(s.direct)).toFixed(2)} of direct`,
    ]);
    table.push([`${list.name}: full crawl straight to the ${list.service} subgraph`, rate(median(s.direct)), '1.00']);
    table.push([
      `${list.name}: last page vs first page (gateway)`,
      `${median(s.last).toFixed(1)} ms vs ${median(s.first).toFixed(1)} ms`,
      `${(median(s.last) / median(s.first)).toFixed(2)}`,
    ]);
    const initial = initialPull.get(list.name) ?? { rows: 0, ms: Number.NaN };
    table.push([`${list.name}: initial changedSince "*" pull (gateway)`, `${rate((initial.rows / initial.ms) * 1000)} (${initial.rows} rows)`, '']);
    table.push([
      `${list.name}: changedSince pull after ${CHANGES.toLocaleString('en-US')} changes`,
      `${median(s.pull).toFixed(0)} ms, rows ${s.pulled.join('/')}`,
      `${(median(s.pull) / ((list.total / median(s.gateway)) * 1000)).toFixed(4)} of a crawl`,
    ]);
  }
  const widths = [0, 1, 2].map((i) => Math.max(...[['metric', 'figure', 'ratio'], ...table].map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  console.log(`\nBI benchmark: ${size.customers} customers, ${size.instalments} instalments (${loansOf(size)} loans), ${ROUNDS} rounds, medians`);
  console.log(line(['metric', 'figure', 'ratio']));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of table) console.log(line(r));
} finally {
  await stack?.stop().catch((error: unknown) => console.error(error));
  for (const p of pools.values()) await p.end().catch(() => undefined);
  for (const s of SERVICES) await adminQuery(`drop database if exists ${dbName(s)} with (force)`).catch((error: unknown) => console.error(error));
}
process.exit(0);
