/**
 * Customer 360 through a gateway (ours or a stock @apollo/gateway) at N concurrent clients, each
 * subgraph's part of it sent straight to the subgraph, and the SQL statements each subgraph runs
 * for a federated list query (counted from `extensions.sqlStatements`, which the bench's subgraph
 * processes add to every answer, by a proxy between the gateway and the subgraphs).
 */
import { createServer, type Server } from 'node:http';
import type { Producer } from '@crm/events';
import type pg from 'pg';
import { Agent, request } from 'undici';
import { quantile } from './stats.ts';

/** What a Customer 360 asks of each subgraph: the customer, loans, interactions and tasks, loyalty. */
export const C360 = /* GraphQL */ `
  query Customer360($id: ID!) {
    customer(id: $id) {
      id displayName status branchId registeredAt
      loanConnection(first: 5) { edges { node { id status } } }
      interactions(first: 5) { edges { node { id channel occurredAt } } }
      tasks(first: 5) { edges { node { id type status } } }
      loyalty { pointsBalance tier }
    }
  }
`;

/** The same, for a page of 50 customers: one federated list query. */
export const C360_LIST = /* GraphQL */ `
  query Customer360List {
    customers(first: 50) {
      edges { node {
        id displayName status branchId registeredAt
        loanConnection(first: 5) { edges { node { id status } } }
        interactions(first: 5) { edges { node { id channel occurredAt } } }
        tasks(first: 5) { edges { node { id type status } } }
        loyalty { pointsBalance tier }
      } }
    }
  }
`;

const entities = (selection: string) =>
  `query Entities($representations: [_Any!]!) { _entities(representations: $representations) { ... on Customer { ${selection} } } }`;

/** Each subgraph's part of a Customer 360, as the gateway's query plan sends it (an entity fetch for the three that extend Customer). */
export const DIRECT: Record<Producer, { query: string; variables: (id: string) => Record<string, unknown> }> = {
  customers: { query: `query($id: ID!) { customer(id: $id) { __typename id displayName status branchId registeredAt } }`, variables: (id) => ({ id }) },
  credit: {
    query: entities('loanConnection(first: 5) { edges { node { id status } } }'),
    variables: (id) => ({ representations: [{ __typename: 'Customer', id }] }),
  },
  engagement: {
    query: entities('interactions(first: 5) { edges { node { id channel occurredAt } } } tasks(first: 5) { edges { node { id type status } } }'),
    variables: (id) => ({ representations: [{ __typename: 'Customer', id }] }),
  },
  loyalty: { query: entities('loyalty { pointsBalance tier }'), variables: (id) => ({ representations: [{ __typename: 'Customer', id }] }) },
};

/**
 * What the Customer 360 reads besides the BI data set: each customer's replica in credit and
 * engagement, two interactions and an open task, a loyalty account with its welcome points.
 */
export async function loadCustomer360(pool: (s: Producer) => pg.Pool, customers: number): Promise<void> {
  const range = [1, customers];
  await pool('credit').query(
    `insert into customer_replica (id, display_name, kind, branch_id, relationship_manager_id, updated_at)
     select 'C' || g, 'Bench Customer ' || g, 'INDIVIDUAL', 'BR-' || (g % 40), 'rm-' || (g % 200), now() from generate_series($1::int, $2::int) g`,
    range,
  );
  await pool('engagement').query(
    `insert into customer_replica (id, display_name, branch_id, relationship_manager_id, updated_at)
     select 'C' || g, 'Bench Customer ' || g, 'BR-' || (g % 40), 'rm-' || (g % 200), now() from generate_series($1::int, $2::int) g`,
    range,
  );
  await pool('engagement').query(
    `insert into interaction (id, customer_id, channel, direction, purpose, summary, staff_id, occurred_at)
     select 'I' || g || '-' || k, 'C' || g, 'PHONE', 'OUTBOUND', 'CARE', 'Bench call', 'rm-' || (g % 200), now() - make_interval(days => k)
     from generate_series($1::int, $2::int) g cross join generate_series(1, 2) k`,
    range,
  );
  await pool('engagement').query(
    `insert into task (id, customer_id, type, title, priority, status, due_at)
     select 'T' || g, 'C' || g, 'FOLLOW_UP', 'Bench follow-up', 'NORMAL', 'OPEN', now() + interval '3 days' from generate_series($1::int, $2::int) g`,
    range,
  );
  await pool('loyalty').query(
    `insert into loyalty_account (id, customer_id, tier, referral_code, opened_at, branch_id, relationship_manager_id, tier_since)
     select 'A' || g, 'C' || g, 'BRONZE', 'B' || lpad(g::text, 9, '0'), now(), 'BR-' || (g % 40), 'rm-' || (g % 200), current_date
     from generate_series($1::int, $2::int) g`,
    range,
  );
  await pool('loyalty').query(
    `insert into points_entry (id, account_id, kind, points, reason, source_id, rule_code, source_ref)
     select 'E' || g, 'A' || g, 'EARN', 100, 'Welcome points', 'bench-' || g, 'WELCOME', 'welcome' from generate_series($1::int, $2::int) g`,
    range,
  );
  for (const s of ['credit', 'engagement', 'loyalty'] as const) await pool(s).query('analyze');
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
}

/**
 * `clients` concurrent clients, each sending one request after the other to `url` (a random
 * customer each time) for `seconds` after a warm-up of `warmupSeconds`: requests per second are the
 * answers completed in that window, latencies those of the requests started in it.
 */
export async function closedLoop(options: {
  url: string;
  headers: () => Promise<Record<string, string>>;
  query: string;
  variables: (id: string) => Record<string, unknown>;
  customers: number;
  clients: number;
  seconds: number;
  warmupSeconds?: number;
}): Promise<LoadResult> {
  const agent = new Agent({ connections: options.clients, keepAliveTimeout: 30_000 });
  const latencies: number[] = [];
  let completed = 0;
  let errors = 0;
  let firstError: string | undefined;
  const warmupEnd = Date.now() + (options.warmupSeconds ?? 2) * 1000;
  const end = warmupEnd + options.seconds * 1000;
  const one = async (): Promise<boolean> => {
    const id = `C${1 + Math.floor(Math.random() * options.customers)}`;
    const body = JSON.stringify({ query: options.query, variables: options.variables(id) });
    const res = await request(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await options.headers()) },
      body,
      dispatcher: agent,
    });
    const text = await res.body.text();
    const ok = res.statusCode === 200 && !text.includes('"errors"');
    if (!ok) firstError ??= `${res.statusCode} ${text.slice(0, 500)}`;
    return ok;
  };
  await Promise.all(
    Array.from({ length: options.clients }, async () => {
      while (Date.now() < end) {
        const startedAt = Date.now();
        const t = performance.now();
        const ok = await one().catch((error: unknown) => {
          firstError ??= String(error);
          return false;
        });
        const doneAt = Date.now();
        if (!ok) {
          if (doneAt >= warmupEnd) errors++;
          continue;
        }
        if (doneAt >= warmupEnd && doneAt <= end) completed++;
        if (startedAt >= warmupEnd) latencies.push(performance.now() - t);
      }
    }),
  );
  await agent.close();
  // An overloaded side answers some requests with errors (a pool or subgraph deadline): counted and
  // shown; only a side that mostly fails stops the run.
  if (errors > completed) throw new Error(`${options.url}: ${errors} errors in ${errors + completed} requests, e.g. ${firstError}`);
  if (errors) process.stderr.write(`${options.url}: ${errors} of ${errors + completed} requests failed, e.g. ${firstError?.slice(0, 300)}\n`);
  return { rps: completed / options.seconds, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), requests: completed, errors };
}

/** A proxy in front of each subgraph that adds up the SQL statements the subgraph reports per answer. */
export interface StatementProxies {
  urls: Record<Producer, string>;
  /** Statements (audit writes apart) and calls per subgraph since the last reset. */
  counts(): Record<Producer, { statements: number; calls: number }>;
  reset(): void;
  close(): Promise<void>;
}

export async function statementProxies(targets: Record<Producer, string>): Promise<StatementProxies> {
  const counts = {} as Record<Producer, { statements: number; calls: number }>;
  const servers: Server[] = [];
  const urls = {} as Record<Producer, string>;
  const reset = () => {
    for (const name of Object.keys(targets) as Producer[]) counts[name] = { statements: 0, calls: 0 };
  };
  reset();
  for (const [name, target] of Object.entries(targets) as [Producer, string][]) {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        try {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
          const answer = await fetch(target, { method: req.method ?? 'POST', headers, body: Buffer.concat(chunks) });
          const text = await answer.text();
          try {
            const tally = (JSON.parse(text) as { extensions?: { sqlStatements?: { statements: number } } }).extensions?.sqlStatements;
            counts[name].calls++;
            counts[name].statements += tally?.statements ?? 0;
          } catch {
            // not JSON: not counted
          }
          res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
          res.end(text);
        } catch (error) {
          res.writeHead(502).end(String(error));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const address = server.address();
    urls[name] = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/graphql`;
    servers.push(server);
  }
  return {
    urls,
    counts: () => structuredClone(counts),
    reset,
    close: async () => {
      for (const s of servers) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
}
