/**
 * The production start: a service and the gateway run as `node src/main.ts` with no TypeScript
 * loader (Node's own type stripping, Node >= 22.18 and 24 LTS: what the image runs), with
 * NODE_ENV=production and its required secrets, and become ready. On a Node without type
 * stripping (20.19) the same processes start under tsx, so this test runs on every supported Node.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const stripsTypes = Boolean((process.features as { typescript?: string | false }).typescript);
const loader = stripsTypes ? [] : ['--import', 'tsx'];
const secrets = { JWT_SECRET: randomBytes(32).toString('hex'), GATEWAY_SECRET: randomBytes(32).toString('hex') };
const dataDir = mkdtempSync(join(tmpdir(), 'crm-production-start-'));
const children: ChildProcess[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Starts `node [--import tsx] src/main.ts` in `dir`; resolves with the ms until /readyz answers 200. */
async function startProcess(dir: string, port: number, env: Record<string, string>): Promise<{ readyMs: number; output: () => string }> {
  const { DATABASE_URL: _db, KAFKA_BROKERS: _kafka, TEST_DATABASE_URL: _tdb, ...inherited } = process.env;
  const started = Date.now();
  const child = spawn(process.execPath, [...loader, 'src/main.ts'], {
    cwd: join(repoRoot, dir),
    env: { ...inherited, ...secrets, ...env, NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  while (Date.now() - started < 60_000) {
    if (child.exitCode !== null) throw new Error(`${dir} exited with ${child.exitCode}:\n${output}`);
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { readyMs: Date.now() - started, output: () => output };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${dir} not ready within 60 s:\n${output}`);
}

afterAll(async () => {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
  rmSync(dataDir, { recursive: true, force: true });
});

describe(`production start (${stripsTypes ? `node ${process.version}, type stripping, no loader` : `node ${process.version}, under tsx`})`, () => {
  it('starts a service and the gateway with NODE_ENV=production and answers /readyz', async () => {
    const customersPort = await freePort();
    const customers = await startProcess('services/customers', customersPort, { DATA_DIR: dataDir });
    expect(customers.readyMs).toBeGreaterThan(0);

    const gatewayPort = await freePort();
    const gateway = await startProcess('apps/gateway', gatewayPort, {
      AUTH_REQUIRED: 'true',
      CUSTOMERS_URL: `http://127.0.0.1:${customersPort}/graphql`,
    });
    const ready = (await (await fetch(`http://127.0.0.1:${gatewayPort}/readyz`)).json()) as { checks: Record<string, { status: string }> };
    // The customers subgraph is up; the others are not started here, so the gateway is degraded, not unready.
    expect(ready.checks.customers?.status).toBe('up');
    // Production: no explorer, and a request without a token is refused.
    const page = await fetch(`http://127.0.0.1:${gatewayPort}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type') ?? '').not.toContain('text/html');
    const anonymous = await fetch(`http://127.0.0.1:${gatewayPort}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(anonymous.status).toBe(401);
    expect(customers.output() + gateway.output()).not.toMatch(/ERR_[A-Z_]+/);
  }, 150_000);
});
