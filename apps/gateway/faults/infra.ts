import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Where the suite's private PostgreSQL cluster and Kafka broker run. */
export interface Infra {
  pgBin: string;
  pgDir: string;
  pgPort: number;
  kafkaHome: string;
  kafkaPort: number;
  kafkaControllerPort: number;
  base: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    infra: Infra;
  }
}

/** pg_ctl on the private cluster only (as user postgres when running as root). */
export async function pgCtl(infra: Infra, action: 'start' | 'stop' | 'restart'): Promise<string> {
  const args = ['-D', infra.pgDir, '-w', '-t', '60'];
  if (action === 'stop') args.push('-m', 'immediate', 'stop');
  else {
    args.push('-l', join(infra.pgDir, 'log'), '-o', `-p ${infra.pgPort} -k ${infra.pgDir} -c listen_addresses=127.0.0.1 -c max_connections=200`);
    if (action === 'restart') args.push('-m', 'fast');
    args.push(action);
  }
  const cmd = `${infra.pgBin}/pg_ctl`;
  const { stdout } =
    process.getuid?.() === 0 ? await run('runuser', ['-u', 'postgres', '--', cmd, ...args], { timeout: 90_000 }) : await run(cmd, args, { timeout: 90_000 });
  return stdout;
}

/** scripts/kafka.sh on the private broker. */
export async function kafkaCtl(infra: Infra, action: 'start' | 'stop'): Promise<string> {
  const { stdout } = await run('bash', [join(repoRoot, 'scripts/kafka.sh'), action], {
    env: {
      ...process.env,
      KAFKA_HOME_DIR: infra.kafkaHome,
      KAFKA_PORT: String(infra.kafkaPort),
      KAFKA_CONTROLLER_PORT: String(infra.kafkaControllerPort),
      KAFKA_STOP_TIMEOUT: '20',
    },
    timeout: 180_000,
  });
  return stdout;
}

export const pgUrl = (infra: Infra, database: string) => `postgres://postgres@127.0.0.1:${infra.pgPort}/${database}`;
export const brokersOf = (infra: Infra) => `127.0.0.1:${infra.kafkaPort}`;
