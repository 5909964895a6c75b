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
import { authSettings, GATEWAY_CREDENTIAL_HEADER, gatewayCredentials, type Identity, progressLine, signToken } from '@crm/service-kit';
import pg from 'pg';
import { startStack } from '../src/stack.ts';

const CUSTOMERS = Number(process.env.BENCH_BI_CUSTOMERS ?? 100_000);
const INSTALMENTS = Number(process.env.BENCH_BI_INSTALMENTS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_BI_ROUNDS ?? 3);
const PAGE = 500;
const CHANGES = 1_000;
const PER_LOAN = 12;
const PAGE_SAMPLES = 5;
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const run = randomBytes(3).toString('hex');
const SERVICES: Producer[] = ['customers', 'credit', 'engagement', 'loyalty'];
const dbName = (service: Producer) => `crm_bench_bi_${run}_${service}`;
const urlOf = (service: Producer) => adminUrl.replace(/\/[^/]*$/, `/${dbName(service)}`);
const secret = 'bench-bi-secret-bench-bi-secret-bench-0';
/** A BI tool reads as an analyst: every branch, pseudonymised. */
const analyst: Identity = { userId: 'bench-bi', roles: ['analyst'] };

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? ((s[Math.floor((s.length - 1) / 2)] ?? 0) + (s[Math.ceil((s.length - 1) / 2)] ?? 0)) / 2 : Number.NaN;
};

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

for (const s of SERVICES) await admin(`create database ${dbName(s)}`);
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
  const token = await signToken(analyst, secret, '24h');
  const credential = gatewayCredentials(secret);

  // ---- the data set, set-based ----
  const loans = Math.ceil(INSTALMENTS / PER_LOAN);
  const chunked = async (label: string, total: number, chunk: number, insert: (from: number, to: number) => Promise<unknown>) => {
    const progress = progressLine(label, { total });
    for (let from = 1; from <= total; from += chunk) {
      const to = Math.min(total, from + chunk - 1);
      await insert(from, to);
      progress.tick(to - from + 1);
    }
    progress.done();
  };
  await chunked('customers', CUSTOMERS, 50_000, async (from, to) => {
    await pool('customers').query(
      `insert into customer (id, kind, status, display_name, branch_id, relationship_manager_id, created_by)
       select 'C' || g, 'INDIVIDUAL', 'ACTIVE', 'Bench Customer ' || g, 'BR-' || (g % 40), 'rm-' || (g % 200), 'bench-bi'
       from generate_series($1::int, $2::int) g`,
      [from, to],
    );
    await pool('customers').query(
      `insert into individual_profile (customer_id, first_name, last_name)
       select 'C' || g, 'Bench' || g, 'Customer' from generate_series($1::int, $2::int) g`,
      [from, to],
    );
  });
  await pool('credit').query(
    `insert into loan_product (id, code, name, type, currency, min_principal, max_principal, min_rate, max_rate, min_term, max_term,
       frequency, amortisation, day_count, penalty_rate, grace_days, overpayment_policy)
     values ('p-bench', 'BENCH', 'Bench', 'MICRO_BUSINESS', 'USD', 100, 100000, 0, 1, 1, 60, 'MONTHLY', 'EQUAL_PRINCIPAL', 'THIRTY_360', 0.365, 3, 'REFUSE')`,
  );
  await chunked('loans', loans, 50_000, (from, to) =>
    pool('credit').query(
      `insert into loan (id, customer_id, product_code, product_id, status, principal, currency, annual_rate, term_months, term_count,
         officer_id, branch_id, disbursed_on, schedule_version, loan_cycle)
       select 'L' || g, 'C' || (1 + g % $3::int), 'BENCH', 'p-bench', 'ACTIVE', 1200, 'USD', 0.24, ${PER_LOAN}, ${PER_LOAN},
         'rm-' || (g % 200), 'BR-' || (g % 40), date '2025-01-01' + (g % 365), 1, 1
       from generate_series($1::int, $2::int) g`,
      [from, to, CUSTOMERS],
    ),
  );
  // Instalment i (0-based) is number i % 12 + 1 of loan i / 12 + 1: exactly INSTALMENTS rows.
  await chunked('instalments', INSTALMENTS, 100_000, (from, to) =>
    pool('credit').query(
      `insert into instalment (loan_id, version, number, due_date, principal, interest)
       select 'L' || (i / ${PER_LOAN} + 1), 1, i % ${PER_LOAN} + 1,
         (date '2025-01-01' + ((i / ${PER_LOAN} + 1) % 365) + make_interval(months => i % ${PER_LOAN} + 1))::date,
         100, round((1200 - 100 * (i % ${PER_LOAN})) * 0.02, 2)
       from generate_series($1::int - 1, $2::int - 1) i`,
      [from, to],
    ),
  );
  await pool('customers').query('analyze');
  await pool('credit').query('analyze');

  // ---- the client ----
  const post = async <T>(url: string, direct: boolean, query: string, variables: Record<string, unknown>): Promise<T> => {
    const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    if (direct) headers[GATEWAY_CREDENTIAL_HEADER] = await credential();
    const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as { data?: T; errors?: unknown };
    if (!body.data || body.errors) throw new Error(`${url}: ${JSON.stringify(body.errors)}`);
    return body.data;
  };
  type Connection = { edges: unknown[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } };
  interface List {
    name: 'instalments' | 'customers';
    service: 'credit' | 'customers';
    total: number;
    page: string;
    feed: string;
    change: (round: number) => string;
  }
  const INSTALMENT_FIELDS = 'loanId version number dueDate principal interest principalPaid interestPaid penalty outstanding paidOn daysPastDue status';
  const CUSTOMER_FIELDS = 'id kind status displayName branchId relationshipManagerId registeredAt updatedAt';
  const lists: List[] = [
    {
      name: 'instalments',
      service: 'credit',
      total: INSTALMENTS,
      page: `query($after: String) { instalments(first: ${PAGE}, after: $after) { edges { node { ${INSTALMENT_FIELDS} } } pageInfo { endCursor hasNextPage } } }`,
      feed: `query($since: String) { instalments(first: ${PAGE}, changedSince: $since) { edges { node { ${INSTALMENT_FIELDS} } } pageInfo { endCursor hasNextPage } } }`,
      // A payment: 1,000 unpaid instalments paid in full on their due date.
      change: () => `update instalment set principal_paid = principal, interest_paid = interest, paid_on = due_date
        where (loan_id, version, number) in (select loan_id, version, number from instalment where paid_on is null order by loan_id, version, number limit ${CHANGES})`,
    },
    {
      name: 'customers',
      service: 'customers',
      total: CUSTOMERS,
      page: `query($after: String) { customers(first: ${PAGE}, after: $after) { edges { node { ${CUSTOMER_FIELDS} } } pageInfo { endCursor hasNextPage } } }`,
      feed: `query($since: String) { customers(first: ${PAGE}, changedSince: $since) { edges { node { ${CUSTOMER_FIELDS} } } pageInfo { endCursor hasNextPage } } }`,
      // A profile edit on 1,000 customers (a different thousand each round, wrapping on small sets).
      change: (round) => `update customer set preferred_language = 'en-${round}', updated_at = now()
        where id in (select 'C' || (1 + (g % ${CUSTOMERS})) from generate_series(${round * CHANGES}, ${round * CHANGES + CHANGES - 1}) g)`,
    },
  ];
  const urlFor = (list: List, direct: boolean) => (direct ? subgraphUrl[list.service] : gatewayUrl);

  /** Every page of the list; returns rows, time and the cursor the last page was asked with. */
  const crawl = async (list: List, direct: boolean, label: string) => {
    const progress = progressLine(label, { total: list.total });
    const started = performance.now();
    let after: string | null = null;
    let lastAfter: string | null = null;
    let rows = 0;
    for (;;) {
      const data: Record<string, Connection> = await post(urlFor(list, direct), direct, list.page, { after });
      const page = data[list.name] as Connection;
      rows += page.edges.length;
      progress.tick(page.edges.length);
      lastAfter = after;
      if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) break;
      after = page.pageInfo.endCursor;
    }
    const ms = performance.now() - started;
    progress.done();
    if (rows !== list.total) throw new Error(`${label}: ${rows} rows crawled, ${list.total} loaded`);
    return { rows, ms, lastAfter };
  };

  /** A changedSince pull to the end of the feed from `since`. */
  const pull = async (list: List, since: string) => {
    const started = performance.now();
    let cursor = since;
    let rows = 0;
    for (;;) {
      const data: Record<string, Connection> = await post(gatewayUrl, false, list.feed, { since: cursor });
      const page = data[list.name] as Connection;
      rows += page.edges.length;
      cursor = page.pageInfo.endCursor ?? cursor;
      if (!page.pageInfo.hasNextPage) break;
    }
    return { rows, ms: performance.now() - started, cursor };
  };

  /** Runs a change in a transaction and waits until the feed's horizon has passed it (other transactions on the server hold it back). */
  const applyChange = async (list: List, round: number) => {
    const client = await pool(list.service).connect();
    let txid: string;
    try {
      await client.query('begin');
      const updated = await client.query(list.change(round));
      if (updated.rowCount !== CHANGES) throw new Error(`${list.name}: ${updated.rowCount} rows changed, expected ${CHANGES}`);
      txid = (await client.query<{ txid: string }>('select pg_current_xact_id()::text as txid')).rows[0]?.txid ?? '';
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    for (;;) {
      const r = await pool(list.service).query<{ ok: boolean }>('select pg_snapshot_xmin(pg_current_snapshot()) > $1::xid8 as ok', [txid]);
      if (r.rows[0]?.ok) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  // The cursor a loader would hold after its initial load: a full changedSince pull from "*".
  const feedCursor = new Map<string, string>();
  const initialPull = new Map<string, { rows: number; ms: number }>();
  for (const list of lists) {
    const first = await pull(list, '*');
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
        const c = await crawl(list, direct, `round ${round + 1}: ${list.name} ${direct ? 'subgraph' : 'gateway'}`);
        (direct ? s.direct : s.gateway).push((c.rows / c.ms) * 1000);
        lastAfter = c.lastAfter;
      }
      for (let k = 0; k < PAGE_SAMPLES; k++) {
        let t = performance.now();
        await post(gatewayUrl, false, list.page, { after: null });
        s.first.push(performance.now() - t);
        t = performance.now();
        await post(gatewayUrl, false, list.page, { after: lastAfter });
        s.last.push(performance.now() - t);
      }
      await applyChange(list, round);
      const p = await pull(list, feedCursor.get(list.name) ?? '*');
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
  console.log(`\nBI benchmark: ${CUSTOMERS} customers, ${INSTALMENTS} instalments (${loans} loans), ${ROUNDS} rounds, medians`);
  console.log(line(['metric', 'figure', 'ratio']));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of table) console.log(line(r));
} finally {
  await stack?.stop().catch((error: unknown) => console.error(error));
  for (const p of pools.values()) await p.end().catch(() => undefined);
  for (const s of SERVICES) await admin(`drop database if exists ${dbName(s)} with (force)`).catch((error: unknown) => console.error(error));
}
process.exit(0);
