/**
 * Infrastructure of the fault suite, started once for all its files: a PRIVATE PostgreSQL cluster
 * (initdb + pg_ctl on a port of its own, so the machine's server is never touched) and a private
 * Kafka broker (scripts/kafka.sh with its own state directory and ports, never 9092/9093).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { type Infra, kafkaCtl, pgCtl } from './infra.ts';

function pgBin(): string {
  const found = existsSync('/usr/lib/postgresql')
    ? readdirSync('/usr/lib/postgresql')
        .sort()
        .reverse()
        .map((v) => `/usr/lib/postgresql/${v}/bin`)
        .find((d) => existsSync(`${d}/pg_ctl`))
    : undefined;
  if (!found) throw new Error('the fault suite needs PostgreSQL binaries (initdb, pg_ctl) under /usr/lib/postgresql');
  return found;
}

let infra: Infra | undefined;

export async function setup(project: TestProject): Promise<void> {
  const bin = pgBin();
  const base = mkdtempSync(join(tmpdir(), 'crm-faults-'));
  chmodSync(base, 0o777);
  const pgDir = join(base, 'pg');
  const initdb = [`${bin}/initdb`, '-D', pgDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8'];
  if (process.getuid?.() === 0) execFileSync('runuser', ['-u', 'postgres', '--', ...initdb], { stdio: 'pipe' });
  else execFileSync(initdb[0] as string, initdb.slice(1), { stdio: 'pipe' });
  const seed = 21_000 + Math.floor(Math.random() * 9_000);
  // Kafka's state lives outside the temporary directory so that its jars are copied only once.
  const kafkaHome = process.env.FAULTS_KAFKA_HOME ?? join(tmpdir(), 'crm-faults-kafka');
  mkdirSync(kafkaHome, { recursive: true });
  for (const stale of ['data', 'cluster-id', 'kafka.pid', 'kafka.port']) rmSync(join(kafkaHome, stale), { recursive: true, force: true });
  infra = { pgBin: bin, pgDir, pgPort: seed, kafkaHome, kafkaPort: seed + 1, kafkaControllerPort: seed + 2, base };
  await pgCtl(infra, 'start');
  await kafkaCtl(infra, 'start');
  project.provide('infra', infra);
}

export async function teardown(): Promise<void> {
  if (!infra) return;
  try {
    await kafkaCtl(infra, 'stop');
  } catch (error) {
    console.error('stopping the private broker failed', error);
  }
  try {
    await pgCtl(infra, 'stop');
  } catch (error) {
    console.error('stopping the private PostgreSQL failed', error);
  }
  if (!process.env.FAULTS_KEEP) rmSync(infra.base, { recursive: true, force: true });
}
