/**
 * The gateways' own cost, apart from the subgraphs': our gateway (src/main.ts as production runs
 * it) and the stock @apollo/gateway (stock-gateway.ts) in front of stub subgraphs that answer each
 * part of a Customer 360 from memory at once, N clients in a closed loop through each in turn
 * (after a warm-up of each, alternating in short rounds, `rounds` times). Prints each gateway's CPU per request (user + system time of its
 * process, from /proc, over the requests it answered): unlike requests per second this hardly
 * moves with the machine's load, so it is the figure to compare before and after a change.
 *
 *   sh ../../scripts/run-ts.sh scripts/bench/gateway-cpu.ts [rounds=12] [seconds=2] [clients=50]
 *   env: BENCH_CPU_PROF=<dir> (both gateways write a CPU profile there)
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { loadavg } from 'node:os';
import { authSettings, type Identity, signToken } from '@crm/service-kit';
import { C360, closedLoop } from './customer360.ts';
import { type Child, freePort, GATEWAY_DIR, REPO, startChild, untilReady } from './infra.ts';
import { fixed, int, median } from './stats.ts';

const [rounds = 12, seconds = 2, clients = 50] = process.argv.slice(2).map(Number);
const jwtSecret = randomBytes(24).toString('hex');
const gatewaySecret = randomBytes(24).toString('hex');
const auth = authSettings(jwtSecret, { gatewaySecret });
const admin: Identity = { userId: 'bench-admin', roles: ['administrator'] };
const log = (line: string) => process.stderr.write(`[gateway-cpu ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

const edges = (n: number, node: (i: number) => Record<string, unknown>) => ({ edges: Array.from({ length: n }, (_, i) => ({ node: node(i) })) });
/** Each subgraph's answer to its part of a Customer 360 (the shapes the query plan asks for). */
const answers: Record<string, (body: string) => unknown> = {
  customers: () => ({
    data: {
      customer: {
        __typename: 'Customer',
        id: 'C1',
        displayName: 'Bench Customer 1',
        status: 'ACTIVE',
        branchId: 'BR-1',
        registeredAt: '2025-01-01T00:00:00.000Z',
      },
    },
  }),
  credit: () => ({ data: { _entities: [{ __typename: 'Customer', loanConnection: edges(5, (i) => ({ id: `L${i}`, status: 'ACTIVE' })) }] } }),
  engagement: () => ({
    data: {
      _entities: [
        {
          __typename: 'Customer',
          interactions: edges(5, (i) => ({ id: `I${i}`, channel: 'PHONE', occurredAt: '2025-01-01T00:00:00.000Z' })),
          tasks: edges(5, (i) => ({ id: `T${i}`, type: 'FOLLOW_UP', status: 'OPEN' })),
        },
      ],
    },
  }),
  loyalty: () => ({ data: { _entities: [{ __typename: 'Customer', loyalty: { pointsBalance: 100, tier: 'BRONZE' } }] } }),
};

/** CPU time (user + system, ms) of a process, from /proc. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

const servers: Server[] = [];
const children: Child[] = [];
try {
  const urls: Record<string, string> = {};
  for (const [name, answer] of Object.entries(answers)) {
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        const text = JSON.stringify(answer(body));
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      });
    });
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const address = server.address();
    urls[`${name.toUpperCase()}_URL`] = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/graphql`;
    servers.push(server);
  }
  // BENCH_CPU_PROF=<dir>: both gateways write a CPU profile there when they stop.
  const profile = process.env.BENCH_CPU_PROF ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env.BENCH_CPU_PROF}` } : {};
  const env = { ...process.env, ...profile, ...urls, JWT_SECRET: jwtSecret, GATEWAY_SECRET: gatewaySecret, LOG_LEVEL: 'warn' };
  const oursPort = await freePort();
  const ours = startChild('sh', [`${REPO}scripts/run-ts.sh`, 'src/main.ts'], {
    cwd: GATEWAY_DIR,
    env: { ...env, NODE_ENV: 'production', AUTH_REQUIRED: 'true', PORT: String(oursPort), RATE_LIMIT_PER_MINUTE: '100000000' },
  });
  children.push(ours);
  // BENCH_OURS_BEFORE=<entry>: a third side, an earlier copy of src/main.ts, to compare a change side by side.
  const beforeEntry = process.env.BENCH_OURS_BEFORE;
  const beforePort = await freePort();
  const before = beforeEntry
    ? startChild('sh', [`${REPO}scripts/run-ts.sh`, beforeEntry], {
        cwd: GATEWAY_DIR,
        env: { ...env, NODE_ENV: 'production', AUTH_REQUIRED: 'true', PORT: String(beforePort), RATE_LIMIT_PER_MINUTE: '100000000' },
      })
    : undefined;
  if (before) children.push(before);
  const stockPort = await freePort();
  const stock = startChild('sh', [`${REPO}scripts/run-ts.sh`, 'scripts/bench/stock-gateway.ts'], {
    cwd: GATEWAY_DIR,
    env: { ...env, PORT: String(stockPort) },
  });
  children.push(stock);
  await untilReady(`http://127.0.0.1:${oursPort}/livez`, ours);
  if (before) await untilReady(`http://127.0.0.1:${beforePort}/livez`, before);
  for (;;) {
    const res = await fetch(`http://127.0.0.1:${stockPort}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ __typename }"}',
    }).catch(() => null);
    if (res?.ok) break;
    if (stock.process.exitCode !== null) throw new Error(`stock gateway exited:\n${stock.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const token = await signToken(admin, auth, '24h');
  const sides: Record<string, { url: string; child: Child }> = {
    ours: { url: `http://127.0.0.1:${oursPort}/graphql`, child: ours },
    stock: { url: `http://127.0.0.1:${stockPort}/`, child: stock },
    ...(before ? { before: { url: `http://127.0.0.1:${beforePort}/graphql`, child: before } } : {}),
  };
  const results: Record<string, { cpu: number[]; rps: number[] }> = Object.fromEntries(Object.keys(sides).map((k) => [k, { cpu: [], rps: [] }]));
  /** 50 clients (or `clients`) asking Customer 360s of random customers through `url`. */
  const load = (url: string, forSeconds: number, warmupSeconds: number) =>
    closedLoop({
      url,
      headers: async () => ({ authorization: `Bearer ${token}` }),
      query: C360,
      variables: (id) => ({ id }),
      customers: 10_000,
      clients,
      seconds: forSeconds,
      warmupSeconds,
    });
  // Each side warmed up first (its JIT, its connection pools); then short rounds, alternating, so
  // both meet the same load.
  for (const { url } of Object.values(sides)) {
    await load(url, 5, 0);
  }
  for (let round = 1; round <= rounds; round++) {
    const names = Object.keys(sides);
    const order = round % 2 ? names : [...names].reverse();
    for (const side of order) {
      const { url, child } = sides[side] as { url: string; child: Child };
      // The gateway's process is the shell's child (run-ts.sh execs node: same pid).
      const pid = child.process.pid ?? 0;
      const run = load(url, seconds, 0.5);
      // CPU from the end of the warm-up to the last answer.
      await new Promise((r) => setTimeout(r, 500));
      const cpuAtStart = cpuMs(pid);
      const r = await run;
      const used = cpuMs(pid) - cpuAtStart;
      const requests = r.requests;
      results[side]?.cpu.push(used / Math.max(1, requests));
      results[side]?.rps.push(r.rps);
      log(
        `round ${round} ${side}: ${int(r.rps)} req/s, ${fixed(used / Math.max(1, requests), 2)} ms CPU per request, p99 ${int(r.p99)} ms (load ${fixed(loadavg()[0] ?? 0, 1)})`,
      );
    }
  }
  const b = results.before;
  if (b)
    process.stdout.write(
      `\nOurs before the change (${beforeEntry}): ${fixed(median(b.cpu), 2)} ms CPU per request, ${int(median(b.rps))} req/s; after: ${fixed(median((results.ours as { cpu: number[] }).cpu), 2)} ms\n`,
    );
  const o = results.ours as { cpu: number[]; rps: number[] };
  const s = results.stock as { cpu: number[]; rps: number[] };
  process.stdout.write(
    `\nGateway CPU per Customer 360 (stub subgraphs, ${clients} clients, medians of ${rounds}): ours ${fixed(median(o.cpu), 2)} ms, stock ${fixed(median(s.cpu), 2)} ms (ratio stock/ours ${fixed(median(s.cpu) / median(o.cpu), 2)}); req/s ours ${int(median(o.rps))}, stock ${int(median(s.rps))}\n`,
  );
} finally {
  for (const c of children) await c.stop();
  for (const s of servers) await new Promise<void>((resolve) => s.close(() => resolve()));
}
