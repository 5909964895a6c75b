/**
 * Distributed mode as deployed: each service and the gateway in its own OS process (the
 * commands docker-compose runs), each service on its own PostgreSQL database, events over Kafka.
 * Runs when KAFKA_BROKERS and DATABASE_URL are set (the real-infrastructure CI run).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { eventually, postGraphQL, TEST_JWT_SECRET } from '@crm/service-kit/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journeyStaff } from './harness.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const baseUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? '';
const services = ['customers', 'credit', 'engagement', 'loyalty'] as const;

function databaseUrlOf(service: string): string {
  const url = new URL(baseUrl);
  url.pathname = `/crm_${service}`;
  return url.toString();
}

async function ensureDatabases(): Promise<void> {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    for (const s of services) {
      const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [`crm_${s}`]);
      if (!rowCount) await client.query(`create database crm_${s}`);
    }
  } finally {
    await client.end();
  }
}

interface Proc {
  child: ChildProcess;
  url: string;
}

/** Starts `tsx <entry>` and resolves with the URL it logs once started. */
function startProcess(entry: string, env: Record<string, string>, startedMessage: string): Promise<Proc> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry], {
      cwd: root,
      env: { ...process.env, ...env, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`${entry} did not start:\n${output.slice(-3000)}`)), 90_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      for (const line of output.split('\n')) {
        if (!line.includes(startedMessage)) continue;
        try {
          const url = (JSON.parse(line) as { url?: string }).url;
          if (url) {
            clearTimeout(timer);
            resolve({ child, url });
          }
        } catch {
          // a partial line; wait for the rest
        }
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited with ${code}:\n${output.slice(-3000)}`));
    });
  });
}

describe('distributed mode: five processes, PostgreSQL databases and Kafka', () => {
  const procs: Proc[] = [];
  let gatewayUrl = '';

  beforeAll(async () => {
    await ensureDatabases();
    const common = {
      JWT_SECRET: TEST_JWT_SECRET,
      GATEWAY_SECRET: 'distributed-gateway-credential-key-0123456789',
      KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '',
      EVENTS_NAMESPACE: `dist-${randomBytes(3).toString('hex')}`,
      PORT: '0',
      RELAY_INTERVAL_MS: '100',
    };
    const urls: Record<string, string> = {};
    for (const s of services) {
      const proc = await startProcess(`services/${s}/src/main.ts`, { ...common, DATABASE_URL: databaseUrlOf(s) }, 'service started');
      procs.push(proc);
      urls[`${s.toUpperCase()}_URL`] = proc.url;
    }
    const gateway = await startProcess('apps/gateway/src/main.ts', { ...common, ...urls, AUTH_REQUIRED: 'true' }, 'gateway started');
    procs.push(gateway);
    gatewayUrl = gateway.url;
  }, 300_000);

  afterAll(async () => {
    await Promise.all(
      procs.map(
        ({ child }) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
  });

  it('answers the acceptance query with data from all four services', async () => {
    const reg = await postGraphQL<{ registerCustomer: { customer: { id: string } } }>(
      gatewayUrl,
      `mutation($input: RegisterCustomerInput!) { registerCustomer(input: $input) { customer { id } userErrors { field code } } }`,
      { input: { kind: 'INDIVIDUAL', branchId: 'BR-DIST', relationshipManagerId: 'officer-d', individual: { firstName: 'Seynabou', lastName: 'Gueye' } } },
      journeyStaff,
    );
    const id = reg.data?.registerCustomer.customer.id;
    expect(id).toBeTruthy();
    const view = await eventually(async () => {
      const res = await postGraphQL<{
        customer: {
          id: string;
          displayName: string;
          loanConnection: { edges: unknown[] } | null;
          interactions: { edges: unknown[] };
          tasks: { edges: { node: { type: string } }[] };
          loyalty: { pointsBalance: number; tier: string } | null;
        };
      }>(
        gatewayUrl,
        `query($id: ID!) { customer(id: $id) { id displayName loanConnection(first: 5) { edges { node { id } } } interactions(first: 5) { edges { node { id } } } tasks(first: 5) { edges { node { id type } } } loyalty { pointsBalance tier } } }`,
        { id },
        journeyStaff,
      );
      const c = res.data?.customer;
      return c?.loyalty && c.tasks.edges.length ? c : undefined;
    }, 60_000);
    expect(view).toMatchObject({
      displayName: 'Seynabou Gueye',
      loanConnection: { edges: [] },
      interactions: { edges: [] },
      loyalty: { pointsBalance: 100, tier: 'BRONZE' },
    });
    expect(view.tasks.edges.map((e) => e.node.type)).toEqual(['WELCOME']);
  }, 120_000);

  it('refuses a request without a token when AUTH_REQUIRED is on', async () => {
    const res = await postGraphQL(gatewayUrl, '{ customers(first: 1) { totalCount } }', {}, null);
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
