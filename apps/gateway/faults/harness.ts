/**
 * The fault suite's stack: the four services and the gateway as OS processes (as deployed and as
 * `test/distributed.kafka.test.ts` runs them), each service on its own database of the suite's
 * private PostgreSQL cluster, events over the suite's private Kafka broker. Every stack has fresh
 * databases and a fresh topic namespace, so scenarios never see each other's rows or events.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Identity } from '@crm/service-kit';
import { postGraphQL, TEST_JWT_SECRET } from '@crm/service-kit/testing';
import pg from 'pg';
import { inject } from 'vitest';
import { brokersOf, type Infra, kafkaCtl, pgCtl, pgUrl, repoRoot } from './infra.ts';

export const services = ['customers', 'credit', 'engagement', 'loyalty'] as const;
export type ServiceName = (typeof services)[number];
export type ProcName = ServiceName | 'gateway';

export const infra = (): Infra => inject('infra');

/** Staff allowed to register and update customers of every branch. */
export const operator: Identity = { userId: 'faults-officer', roles: ['administrator', 'loan_officer', 'risk_officer'] };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export { sleep };

interface Proc {
  child: ChildProcess;
  url: string;
  output: string[];
}

/** Starts `node --import tsx <entry>` and resolves with the URL it logs once started. */
function startProcess(entry: string, env: Record<string, string>, startedMessage: string): Promise<Proc> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry], {
      cwd: repoRoot,
      env: { ...process.env, ...env, LOG_LEVEL: process.env.FAULTS_LOG_LEVEL ?? 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    let pending = '';
    let started = false;
    const timer = setTimeout(() => reject(new Error(`${entry} did not start:\n${output.join('\n').slice(-3000)}`)), 120_000);
    const keep = (line: string) => {
      output.push(line);
      if (output.length > 400) output.splice(0, output.length - 400);
    };
    child.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        keep(line);
        if (started || !line.includes(startedMessage)) continue;
        try {
          const url = (JSON.parse(line) as { url?: string }).url;
          if (url) {
            started = true;
            clearTimeout(timer);
            resolve({ child, url, output });
          }
        } catch {
          // not JSON
        }
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => keep(chunk.toString()));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (!started) reject(new Error(`${entry} exited with ${code ?? signal}:\n${output.join('\n').slice(-3000)}`));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
  });
}

export interface StackOptions {
  /** Extra settings of the gateway (e.g. a short SUBGRAPH_TIMEOUT_MS). */
  gatewayEnv?: Record<string, string>;
}

export class Stack {
  readonly namespace = `faults-${randomBytes(3).toString('hex')}`;
  readonly databases: Record<ServiceName, string>;
  readonly procs = new Map<ProcName, Proc>();
  private readonly pools = new Map<ServiceName, pg.Pool>();
  gatewayUrl = '';

  readonly infra: Infra;
  private readonly options: StackOptions;

  constructor(infra: Infra, options: StackOptions = {}) {
    this.infra = infra;
    this.options = options;
    this.databases = Object.fromEntries(services.map((s) => [s, `${this.namespace.replace('-', '_')}_${s}`])) as Record<ServiceName, string>;
  }

  private common(): Record<string, string> {
    return {
      JWT_SECRET: TEST_JWT_SECRET,
      GATEWAY_SECRET: 'faults-gateway-credential-key-0123456789ab',
      KAFKA_BROKERS: brokersOf(this.infra),
      EVENTS_NAMESPACE: this.namespace,
      RELAY_INTERVAL_MS: '100',
      NODE_ENV: 'test',
    };
  }

  private serviceEnv(s: ServiceName, port = 0): Record<string, string> {
    return { ...this.common(), PORT: String(port), DATABASE_URL: pgUrl(this.infra, this.databases[s]) };
  }

  /** Fresh databases, then the four services at once (a fresh broker namespace), then the gateway. */
  async start(): Promise<void> {
    const admin = new pg.Client({ connectionString: pgUrl(this.infra, 'postgres') });
    await admin.connect();
    try {
      for (const s of services) await admin.query(`create database ${this.databases[s]}`);
    } finally {
      await admin.end();
    }
    const started = await Promise.all(services.map((s) => startProcess(`services/${s}/src/main.ts`, this.serviceEnv(s), 'service started')));
    for (const [i, s] of services.entries()) this.procs.set(s, started[i] as Proc);
    await this.startGateway();
  }

  private async startGateway(port = 0): Promise<void> {
    const urls = Object.fromEntries(services.map((s) => [`${s.toUpperCase()}_URL`, this.procs.get(s)?.url ?? '']));
    const gateway = await startProcess(
      'apps/gateway/src/main.ts',
      { ...this.common(), ...urls, PORT: String(port), AUTH_REQUIRED: 'true', RATE_LIMIT_PER_MINUTE: '1000000', ...this.options.gatewayEnv },
      'gateway started',
    );
    this.procs.set('gateway', gateway);
    this.gatewayUrl = gateway.url;
  }

  /** A service's database (the private cluster), for exact counts. */
  db(s: ServiceName): pg.Pool {
    let pool = this.pools.get(s);
    if (!pool) {
      pool = new pg.Pool({ connectionString: pgUrl(this.infra, this.databases[s]), max: 2 });
      pool.on('error', () => undefined);
      this.pools.set(s, pool);
    }
    return pool;
  }

  async count(s: ServiceName, query: string, params: unknown[] = []): Promise<number> {
    const { rows } = await this.db(s).query<{ n: string }>(query, params);
    return Number(rows[0]?.n ?? 0);
  }

  signal(name: ProcName, signal: NodeJS.Signals): void {
    this.procs.get(name)?.child.kill(signal);
  }

  /** Stops a process (SIGTERM, or SIGKILL: no shutdown at all) and waits for it to exit. */
  async stop(name: ProcName, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const proc = this.procs.get(name);
    if (!proc) return;
    proc.child.kill(signal);
    await exited(proc.child);
  }

  /** Starts a stopped service again on the port it had (the gateway keeps its URL). */
  async restart(name: ServiceName): Promise<number> {
    const before = this.procs.get(name);
    const port = Number(new URL(before?.url ?? 'http://x:0').port);
    const t0 = Date.now();
    const proc = await startProcess(`services/${name}/src/main.ts`, this.serviceEnv(name, port), 'service started');
    this.procs.set(name, proc);
    return Date.now() - t0;
  }

  graphql<T>(query: string, variables: Record<string, unknown> = {}, as: Identity = operator) {
    return postGraphQL<T>(this.gatewayUrl, query, variables, as);
  }

  logs(name: ProcName): string {
    return this.procs.get(name)?.output.join('\n') ?? '';
  }

  async close(): Promise<void> {
    for (const { child } of this.procs.values()) if (child.signalCode === 'SIGSTOP' || child.exitCode === null) child.kill('SIGCONT');
    await Promise.all(
      [...this.procs.values()].map(async ({ child }) => {
        const done = exited(child);
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await done;
        clearTimeout(timer);
      }),
    );
    await Promise.all([...this.pools.values()].map((p) => p.end().catch(() => undefined)));
    this.pools.clear();
  }
}

/** Brings the shared infrastructure back if an earlier scenario failed while it was down. */
async function ensureInfrastructure(): Promise<void> {
  const probe = new pg.Client({ connectionString: pgUrl(infra(), 'postgres') });
  try {
    await probe.connect();
  } catch {
    await pgCtl(infra(), 'start');
  } finally {
    await probe.end().catch(() => undefined);
  }
  await kafkaCtl(infra(), 'start'); // answers at once when the broker runs
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  await ensureInfrastructure();
  const stack = new Stack(infra(), options);
  try {
    await stack.start();
  } catch (error) {
    await stack.close();
    throw error;
  }
  return stack;
}

// --- faults on the shared infrastructure -------------------------------------------------------

export const broker = {
  stop: () => kafkaCtl(infra(), 'stop'),
  start: () => kafkaCtl(infra(), 'start'),
};

export const postgres = {
  restart: () => pgCtl(infra(), 'restart'),
  stop: () => pgCtl(infra(), 'stop'),
  start: () => pgCtl(infra(), 'start'),
};

// --- load and checks ----------------------------------------------------------------------------

export interface Outcome {
  ok: string[];
  /** Failures whose every error says retryable (or is a network failure of the request). */
  retryable: { code: string; message: string }[];
  /** Anything else: a scenario fails when there is one. */
  other: { code: string; message: string }[];
  /** When each mutation finished, and whether it succeeded. */
  timeline: { at: number; ok: boolean }[];
}

export const REGISTER = `mutation($input: RegisterCustomerInput!) { registerCustomer(input: $input) { customer { id } userErrors { field code message } } }`;

/** Runs `n` mutations with `concurrency` workers; `during(i)` runs before the i-th (fault injection). */
export async function runLoad(
  n: number,
  concurrency: number,
  mutate: (i: number) => Promise<{ id?: string | null; errors?: { message: string; extensions?: Record<string, unknown> }[]; userErrors?: unknown[] }>,
): Promise<Outcome> {
  const outcome: Outcome = { ok: [], retryable: [], other: [], timeline: [] };
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) {
      try {
        const r = await mutate(i);
        const ok = Boolean(r.id && !r.errors?.length && !r.userErrors?.length);
        outcome.timeline.push({ at: Date.now(), ok });
        if (ok) outcome.ok.push(r.id as string);
        else if (r.errors?.length && r.errors.every((e) => e.extensions?.retryable === true)) {
          outcome.retryable.push({ code: String(r.errors[0]?.extensions?.code), message: r.errors[0]?.message ?? '' });
        } else
          outcome.other.push({
            code: String(r.errors?.[0]?.extensions?.code ?? 'USER_ERROR'),
            message: JSON.stringify(r.errors ?? r.userErrors).slice(0, 300),
          });
      } catch (error) {
        outcome.other.push({ code: 'REQUEST_FAILED', message: String(error) });
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return outcome;
}

export function registerCustomer(stack: Stack, branchId: string, i: number) {
  return stack
    .graphql<{ registerCustomer: { customer: { id: string } | null; userErrors: unknown[] } }>(REGISTER, {
      input: { kind: 'INDIVIDUAL', branchId, relationshipManagerId: 'rm-faults', individual: { firstName: `Awa${i}`, lastName: `Ndiaye${i}` } },
    })
    .then((r) => ({ id: r.data?.registerCustomer?.customer?.id, errors: r.errors, userErrors: r.data?.registerCustomer?.userErrors }));
}

/** Per consumer, how many records the registrations of `ids` produced (one each when applied exactly once). */
export async function registrationEffects(stack: Stack, ids: string[]) {
  const [customers, creditReplicas, engagementReplicas, welcomeTasks, loyaltyAccounts, welcomePoints] = await Promise.all([
    stack.count('customers', 'select count(*) as n from customer where id = any($1)', [ids]),
    stack.count('credit', 'select count(*) as n from customer_replica where id = any($1)', [ids]),
    stack.count('engagement', 'select count(*) as n from customer_replica where id = any($1)', [ids]),
    stack.count('engagement', `select count(*) as n from task where type = 'WELCOME' and customer_id = any($1)`, [ids]),
    stack.count('loyalty', 'select count(*) as n from loyalty_account where customer_id = any($1)', [ids]),
    stack.count(
      'loyalty',
      `select count(*) as n from points_entry e join loyalty_account a on a.id = e.account_id where e.rule_code = 'WELCOME' and a.customer_id = any($1)`,
      [ids],
    ),
  ]);
  return { customers, creditReplicas, engagementReplicas, welcomeTasks, loyaltyAccounts, welcomePoints };
}

/**
 * Waits until every consumer applied the registrations of `ids` (or `timeoutMs` passed), then
 * waits `settleMs` more for any late duplicate. Returns the counts and how long applying took.
 */
export async function awaitRegistrations(stack: Stack, ids: string[], timeoutMs = 180_000, settleMs = 3_000) {
  const t0 = Date.now();
  let effects = await registrationEffects(stack, ids);
  const done = () => Object.values(effects).every((v) => v >= ids.length);
  while (!done() && Date.now() - t0 < timeoutMs) {
    await sleep(500);
    effects = await registrationEffects(stack, ids).catch(() => effects);
  }
  const appliedAt = Date.now();
  await sleep(settleMs);
  effects = await registrationEffects(stack, ids);
  return { effects, appliedAt, appliedInMs: appliedAt - t0 };
}

export const exactlyOnce = (n: number) => ({
  customers: n,
  creditReplicas: n,
  engagementReplicas: n,
  welcomeTasks: n,
  loyaltyAccounts: n,
  welcomePoints: n,
});

/** Rows of the inbox and dead-letter tables of a consumer. */
export async function deadLetters(stack: Stack, s: ServiceName): Promise<{ event_id: string; type: string; error: string }[]> {
  const { rows } = await stack
    .db(s)
    .query<{ event_id: string; type: string; error: string }>('select event_id, type, error from event_dead_letter order by event_id');
  return rows;
}

/** Polls `probe` until it returns a value (not undefined), or throws after `timeoutMs`. */
export async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await sleep(everyMs);
  }
}

/** One line per measured result, printed at the end of each scenario (CI's log keeps them). */
export function report(scenario: string, values: Record<string, unknown>): void {
  console.log(`[faults] ${scenario}: ${JSON.stringify(values)}`);
}
