/**
 * Embedded mode (`pnpm start`) as a user meets it (scripts/measure-embedded.ts, `pnpm bench`): each
 * run is a new process, exactly as `pnpm start` launches it (scripts/run-ts.sh src/embedded.ts).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { freePort, GATEWAY_DIR } from './infra.ts';

const gatewayDir = GATEWAY_DIR;

/** Resident memory (MB) of a process and all its descendants, from /proc. */
export function treeRssMb(rootPid: number): number {
  const parentOf = new Map<number, number>();
  const rssOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      parentOf.set(pid, Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? 0));
      rssOf.set(pid, Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0));
    } catch {
      // The process ended while we looked.
    }
  }
  const inTree = (pid: number): boolean => {
    for (let p = pid; p > 1; p = parentOf.get(p) ?? 0) if (p === rootPid) return true;
    return false;
  };
  let kb = 0;
  for (const [pid, rss] of rssOf) if (inTree(pid)) kb += rss;
  return Math.round(kb / 1024);
}

/** CPU time (user + system, ms) a process has used, from /proc. */
export function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

export interface EmbeddedRun {
  label: string;
  firstAnswerMs: number;
  /** CPU the process used up to its first answer: on a shared machine, steadier than the time. */
  firstAnswerCpuMs: number;
  idleRssMb: number;
  load: string;
}

/**
 * One launch of embedded mode over `dataDir` (fresh or not): time from launch to the gateway's
 * first answer, resident memory of the process tree after `idleSeconds` idle, the load average.
 */
export async function measureEmbeddedRun(label: string, dataDir: string, idleSeconds: number): Promise<EmbeddedRun> {
  const port = await freePort();
  // As `pnpm start` runs it: the workspace's binaries (tsx on Node < 22.18) on PATH.
  const path = [join(gatewayDir, 'node_modules/.bin'), join(gatewayDir, '../../node_modules/.bin'), process.env.PATH].join(':');
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: path, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' };
  for (const name of ['DATABASE_URL', 'TEST_DATABASE_URL', 'KAFKA_BROKERS']) delete env[name];
  const load = loadavg()[0]?.toFixed(1) ?? '?';
  const started = performance.now();
  // BENCH_EMBEDDED_ENTRY: another entry point (e.g. a copy of an earlier src/embedded.ts, side by side).
  const entry = process.env.BENCH_EMBEDDED_ENTRY ?? 'src/embedded.ts';
  const child = spawn('sh', ['../../scripts/run-ts.sh', entry], { cwd: gatewayDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let firstAnswerMs = Number.NaN;
  let firstAnswerCpuMs = Number.NaN;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`embedded mode exited with ${child.exitCode}:\n${output}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'apollo-require-preflight': 'true' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      const body = (await res.json()) as { data?: { __typename?: string } };
      if (body.data?.__typename) {
        firstAnswerMs = performance.now() - started;
        // run-ts.sh execs node: the shell's pid is the stack's process.
        firstAnswerCpuMs = processCpuMs(child.pid ?? 0);
        break;
      }
    } catch {
      // Not listening yet.
    }
    if (performance.now() - started > 300_000) throw new Error(`no answer within 300 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, idleSeconds * 1000));
  const idleRssMb = treeRssMb(child.pid ?? 0);
  child.kill('SIGTERM');
  await exited;
  return { label, firstAnswerMs, firstAnswerCpuMs, idleRssMb, load };
}
