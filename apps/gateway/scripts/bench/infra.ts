/**
 * What the benchmarks start and clean up: PostgreSQL databases of their own on a running server,
 * a Kafka broker from scripts/kafka.sh on ports of its own, free ports, child processes.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';

export const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
export const GATEWAY_DIR = fileURLToPath(new URL('../../', import.meta.url));

/** The PostgreSQL URL benchmarks create their databases from (the server must be running). */
export const adminUrl = () => process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The URL of a database on the admin URL's server. */
export const databaseUrl = (name: string, admin = adminUrl()) => admin.replace(/\/[^/]*$/, `/${name}`);

/** Runs one statement on the admin database. */
export async function adminQuery(statement: string, admin = adminUrl()): Promise<void> {
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export const createDatabase = (name: string) => adminQuery(`create database ${name}`);
export const dropDatabase = (name: string) => adminQuery(`drop database if exists ${name} with (force)`);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A Kafka broker of the benchmark's own (scripts/kafka.sh, KRaft, state under `home`). */
export interface Broker {
  brokers: string[];
  stop(): Promise<void>;
}

export async function startKafka(home: string, port: number, controllerPort: number): Promise<Broker> {
  const env = { ...process.env, KAFKA_HOME_DIR: home, KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(controllerPort) };
  const run = (command: string) => promisify(execFile)('bash', [`${REPO}scripts/kafka.sh`, command], { env, maxBuffer: 10 * 1024 * 1024 });
  await run('start');
  return { brokers: [`127.0.0.1:${port}`], stop: async () => void (await run('stop')) };
}

/** A child process whose output is kept (shown when it fails). */
export interface Child {
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export function startChild(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Child {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-200_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    process: child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Waits until `url` answers 200 (a /readyz), failing early when the child exits. */
export async function untilReady(url: string, child: Child, timeoutMs = 180_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (child.process.exitCode !== null) throw new Error(`process exited with ${child.process.exitCode}:\n${child.output()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > timeoutMs) throw new Error(`${url} not ready within ${timeoutMs} ms:\n${child.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
