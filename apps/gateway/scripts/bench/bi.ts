/**
 * The BI data set and the crawl of its lists (issue 12; `pnpm bench:bi` and `pnpm bench`):
 * customers, loans and instalments loaded set-based in SQL (generate_series), and the clients
 * that page through `instalments` and `customers` through the gateway or straight to a subgraph.
 */
import type { Producer } from '@crm/events';
import { progressLine } from '@crm/service-kit';
import type pg from 'pg';

export const SERVICES: Producer[] = ['customers', 'credit', 'engagement', 'loyalty'];
export const PER_LOAN = 12;
export const PAGE = 500;
export const CHANGES = 1_000;

export interface DataSetSize {
  customers: number;
  instalments: number;
}

export const loansOf = (size: DataSetSize) => Math.ceil(size.instalments / PER_LOAN);

async function chunked(label: string, total: number, chunk: number, insert: (from: number, to: number) => Promise<unknown>): Promise<void> {
  const progress = progressLine(label, { total });
  for (let from = 1; from <= total; from += chunk) {
    const to = Math.min(total, from + chunk - 1);
    await insert(from, to);
    progress.tick(to - from + 1);
  }
  progress.done();
}

/**
 * Customers `C1..Cn` (40 branches, 200 managers), a product, loans `L1..` (one customer each,
 * round robin) and exactly `instalments` instalments, 12 per loan, unpaid; the change-tracking
 * columns take their defaults. The services' migrations must have run.
 */
export async function loadDataSet(pool: (s: Producer) => pg.Pool, size: DataSetSize): Promise<void> {
  const loans = loansOf(size);
  await chunked('customers', size.customers, 50_000, async (from, to) => {
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
      [from, to, size.customers],
    ),
  );
  // Instalment i (0-based) is number i % 12 + 1 of loan i / 12 + 1: exactly `instalments` rows.
  await chunked('instalments', size.instalments, 100_000, (from, to) =>
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
}

/** A GraphQL client of the gateway and, with the gateway's credential, of a subgraph. */
export interface Client {
  post<T>(url: string, direct: boolean, query: string, variables?: Record<string, unknown>): Promise<T>;
}

export function graphqlClient(token: string, credential: () => Promise<string>, credentialHeader: string): Client {
  return {
    async post<T>(url: string, direct: boolean, query: string, variables: Record<string, unknown> = {}): Promise<T> {
      const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
      if (direct) headers[credentialHeader] = await credential();
      const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
      const body = (await res.json()) as { data?: T; errors?: unknown };
      if (!body.data || body.errors) throw new Error(`${url}: ${JSON.stringify(body.errors)}`);
      return body.data;
    },
  };
}

type Connection = { edges: unknown[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } };

/** A list a warehouse loader crawls, with the subgraph that owns it. */
export interface List {
  name: 'instalments' | 'customers';
  service: 'credit' | 'customers';
  total: number;
  page: string;
  feed: string;
  change: (round: number) => string;
}

const INSTALMENT_FIELDS = 'loanId version number dueDate principal interest principalPaid interestPaid penalty outstanding paidOn daysPastDue status';
const CUSTOMER_FIELDS = 'id kind status displayName branchId relationshipManagerId registeredAt updatedAt';

export function listsOf(size: DataSetSize): List[] {
  return [
    {
      name: 'instalments',
      service: 'credit',
      total: size.instalments,
      page: `query($after: String) { instalments(first: ${PAGE}, after: $after) { edges { node { ${INSTALMENT_FIELDS} } } pageInfo { endCursor hasNextPage } } }`,
      feed: `query($since: String) { instalments(first: ${PAGE}, changedSince: $since) { edges { node { ${INSTALMENT_FIELDS} } } pageInfo { endCursor hasNextPage } } }`,
      // A payment: 1,000 unpaid instalments paid in full on their due date.
      change: () => `update instalment set principal_paid = principal, interest_paid = interest, paid_on = due_date
        where (loan_id, version, number) in (select loan_id, version, number from instalment where paid_on is null order by loan_id, version, number limit ${CHANGES})`,
    },
    {
      name: 'customers',
      service: 'customers',
      total: size.customers,
      page: `query($after: String) { customers(first: ${PAGE}, after: $after) { edges { node { ${CUSTOMER_FIELDS} } } pageInfo { endCursor hasNextPage } } }`,
      feed: `query($since: String) { customers(first: ${PAGE}, changedSince: $since) { edges { node { ${CUSTOMER_FIELDS} } } pageInfo { endCursor hasNextPage } } }`,
      // A profile edit on 1,000 customers (a different thousand each round, wrapping on small sets).
      change: (round) => `update customer set preferred_language = 'en-${round}', updated_at = now()
        where id in (select 'C' || (1 + (g % ${size.customers})) from generate_series(${round * CHANGES}, ${round * CHANGES + CHANGES - 1}) g)`,
    },
  ];
}

/** Every page of the list from `url`; rows, time, and the cursor the last page was asked with. */
export async function crawl(client: Client, url: string, direct: boolean, list: List, label: string) {
  const progress = progressLine(label, { total: list.total });
  const started = performance.now();
  let after: string | null = null;
  let lastAfter: string | null = null;
  let rows = 0;
  for (;;) {
    const data: Record<string, Connection> = await client.post(url, direct, list.page, { after });
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
}

/** The time of one page: the first (`after` null) or a deep one. */
export async function pageMs(client: Client, url: string, list: List, after: string | null): Promise<number> {
  const t = performance.now();
  await client.post(url, false, list.page, { after });
  return performance.now() - t;
}

/** A changedSince pull to the end of the feed from `since`. */
export async function pull(client: Client, url: string, list: List, since: string) {
  const started = performance.now();
  let cursor = since;
  let rows = 0;
  for (;;) {
    const data: Record<string, Connection> = await client.post(url, false, list.feed, { since: cursor });
    const page = data[list.name] as Connection;
    rows += page.edges.length;
    cursor = page.pageInfo.endCursor ?? cursor;
    if (!page.pageInfo.hasNextPage) break;
  }
  return { rows, ms: performance.now() - started, cursor };
}

/** Runs a change in a transaction and waits until the feed's horizon has passed it (other transactions on the server hold it back). */
export async function applyChange(pool: pg.Pool, list: List, round: number): Promise<void> {
  const client = await pool.connect();
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
    const r = await pool.query<{ ok: boolean }>('select pg_snapshot_xmin(pg_current_snapshot()) > $1::xid8 as ok', [txid]);
    if (r.rows[0]?.ok) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
