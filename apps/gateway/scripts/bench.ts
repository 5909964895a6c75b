/**
 * Measures what users feel, on the embedded stack (in-memory PGlite, in-process events):
 *   - keyset pagination: a page near the end of a large customer list costs what the first does;
 *   - federation batching: a customer-360 read of 100 customers is a handful of subgraph calls.
 * Usage: pnpm bench [customers=5000]. Prints a table; run it, don't assert on it in tests.
 */
import { InProcessTransport } from '@crm/events';
import { authSettings, progressLine, signToken } from '@crm/service-kit';
import { startStack } from '../src/stack.ts';

const N = Number(process.argv[2] ?? 5000);
const secret = 'bench-secret-bench-secret-bench-secret-0';
const bus = new InProcessTransport();
const stack = await startStack({
  database: () => ({ kind: 'pglite' }),
  transport: () => bus,
  auth: authSettings(secret),
  devIdentity: null,
  gatewayPort: 0,
  sandbox: false,
  logLevel: 'silent',
  relayIntervalMs: 50,
});
const token = await signToken({ userId: 'bench', roles: ['administrator'] }, secret);

async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(stack.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown };
  if (!body.data) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

async function timed<T>(fn: () => Promise<T>, runs = 5): Promise<{ ms: number; result: T }> {
  let result = await fn(); // warm-up
  const start = performance.now();
  for (let i = 0; i < runs; i++) result = await fn();
  return { ms: (performance.now() - start) / runs, result };
}

const REGISTER = `mutation($input: RegisterCustomerInput!) { registerCustomer(input: $input) { customer { id } } }`;
const loadStart = performance.now();
const concurrency = 8;
const loading = progressLine('registering customers', { total: N });
for (let i = 0; i < N; i += concurrency) {
  await Promise.all(
    Array.from({ length: Math.min(concurrency, N - i) }, (_, k) =>
      gql(REGISTER, {
        input: {
          kind: 'INDIVIDUAL',
          branchId: `BR-${(i + k) % 7}`,
          relationshipManagerId: `rm-${(i + k) % 13}`,
          individual: { firstName: `F${i + k}`, lastName: 'Bench' },
        },
      }),
    ),
  );
  loading.tick(Math.min(concurrency, N - i));
}
loading.done();
const loadMs = performance.now() - loadStart;
// Let the welcome tasks and loyalty accounts arrive.
await Promise.all(Object.values(stack.services).map((s) => s.relay.flush()));

const PAGE = `query($after: String) { customers(first: 100, after: $after) { edges { node { id } } pageInfo { endCursor hasNextPage } } }`;
type Page = { customers: { edges: { node: { id: string } }[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } } };
const first = await timed(() => gql<Page>(PAGE));
let cursor: string | null = null;
let pages = 0;
for (;;) {
  const page: Page = await gql<Page>(PAGE, { after: cursor });
  pages++;
  if (!page.customers.pageInfo.hasNextPage) break;
  const next = page.customers.pageInfo.endCursor;
  if (pages >= Math.floor(N / 100) - 2 || !next) {
    cursor = next;
    break;
  }
  cursor = next;
}
const last = await timed(() => gql<Page>(PAGE, { after: cursor }));

const C360 = `{ customers(first: 100) { edges { node { id displayName loans { id } interactions(first: 5) { edges { node { id } } } tasks(first: 5) { edges { node { type } } } loyalty { pointsBalance tier } } } } }`;
const c360 = await timed(() => gql<{ customers: { edges: unknown[] } }>(C360));

const rows: [string, string][] = [
  ['customers registered through the gateway', `${N} in ${(loadMs / 1000).toFixed(1)} s (${((N / loadMs) * 1000).toFixed(0)}/s, ${concurrency} in flight)`],
  ['customers(first: 100), first page', `${first.ms.toFixed(1)} ms`],
  [`customers(first: 100), page ${pages + 1} (keyset)`, `${last.ms.toFixed(1)} ms`],
  ['customer 360 for 100 customers (4 subgraphs, batched)', `${c360.ms.toFixed(1)} ms for ${c360.result.customers.edges.length} customers`],
];
for (const [what, value] of rows) console.log(`${what.padEnd(58)} ${value}`);
await stack.stop();
process.exit(0);
