/**
 * Measures embedded mode (`pnpm start`) as a user meets it: time from launch to the gateway's
 * first answer on a fresh data directory, then on restarts over the same directory, and the
 * resident memory of the process tree at idle.
 *
 *   pnpm --filter @crm/gateway exec tsx scripts/measure-embedded.ts [--restarts 2] [--idle 15]
 *
 * Each run is a new process, exactly as `pnpm start` launches it (scripts/run-ts.sh src/embedded.ts),
 * on a temporary data directory removed at the end. The machine's load average is printed with the
 * figures: on a shared machine compare runs made side by side.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { restarts: { type: 'string', default: '2' }, idle: { type: 'string', default: '15' } } });
const restarts = Number(values.restarts);
const idleSeconds = Number(values.idle);
const gatewayDir = fileURLToPath(new URL('../', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'crm-embedded-'));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Resident memory (MB) of a process and all its descendants, from /proc. */
function treeRssMb(rootPid: number): number {
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

interface Run {
  label: string;
  firstAnswerMs: number;
  idleRssMb: number;
  load: string;
}

async function run(label: string): Promise<Run> {
  const port = await freePort();
  // As `pnpm start` runs it: the workspace's binaries (tsx on Node < 22.18) on PATH.
  const path = [join(gatewayDir, 'node_modules/.bin'), join(gatewayDir, '../../node_modules/.bin'), process.env.PATH].join(':');
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: path, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' };
  for (const name of ['DATABASE_URL', 'TEST_DATABASE_URL', 'KAFKA_BROKERS']) delete env[name];
  const load = loadavg()[0]?.toFixed(1) ?? '?';
  const started = performance.now();
  const child = spawn('sh', ['../../scripts/run-ts.sh', 'src/embedded.ts'], { cwd: gatewayDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let firstAnswerMs = Number.NaN;
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
  return { label, firstAnswerMs, idleRssMb, load };
}

try {
  const runs = [await run('fresh data directory')];
  for (let i = 1; i <= restarts; i++) runs.push(await run(`restart ${i}`));
  process.stdout.write(`\nEmbedded mode (${process.version}, data in ${dataDir})\n`);
  process.stdout.write(`${'run'.padEnd(22)}${'first answer'.padStart(14)}${`RSS after ${idleSeconds} s idle`.padStart(22)}${'load (1 min)'.padStart(14)}\n`);
  for (const r of runs) {
    process.stdout.write(
      `${r.label.padEnd(22)}${`${(r.firstAnswerMs / 1000).toFixed(1)} s`.padStart(14)}${`${r.idleRssMb} MB`.padStart(22)}${r.load.padStart(14)}\n`,
    );
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
