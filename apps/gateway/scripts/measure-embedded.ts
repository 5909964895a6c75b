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
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { measureEmbeddedRun } from './bench/embedded.ts';

const { values } = parseArgs({ options: { restarts: { type: 'string', default: '2' }, idle: { type: 'string', default: '15' } } });
const restarts = Number(values.restarts);
const idleSeconds = Number(values.idle);
const dataDir = mkdtempSync(join(tmpdir(), 'crm-embedded-'));

try {
  const runs = [await measureEmbeddedRun('fresh data directory', dataDir, idleSeconds)];
  for (let i = 1; i <= restarts; i++) runs.push(await measureEmbeddedRun(`restart ${i}`, dataDir, idleSeconds));
  process.stdout.write(`\nEmbedded mode (${process.version}, data in ${dataDir})\n`);
  process.stdout.write(
    `${'run'.padEnd(22)}${'first answer'.padStart(14)}${'CPU until then'.padStart(16)}${`RSS after ${idleSeconds} s idle`.padStart(22)}${'load (1 min)'.padStart(14)}\n`,
  );
  for (const r of runs) {
    process.stdout.write(
      `${r.label.padEnd(22)}${`${(r.firstAnswerMs / 1000).toFixed(1)} s`.padStart(14)}${`${(r.firstAnswerCpuMs / 1000).toFixed(1)} s`.padStart(16)}${`${r.idleRssMb} MB`.padStart(22)}${r.load.padStart(14)}\n`,
    );
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
