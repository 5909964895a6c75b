/**
 * Events at broker speed (issue 17): loyalty's consumer and the relay as they are against as they
 * were (the figures and modes: scripts/bench/events.ts), interleaved, `rounds` rounds (default 3),
 * medians.
 *
 * Usage: pnpm bench:events [rounds=3] [modes=one-at-a-time,per-event,set-based]. Needs PostgreSQL (BENCH_DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres: a database of its own is created and dropped) and
 * Kafka (KAFKA_BROKERS, default 127.0.0.1:9092; topics in a namespace of their own).
 * `pnpm bench` runs the "now" side of it among the other goals, on a broker of its own.
 */
import { randomBytes } from 'node:crypto';
import { applied, type EventsBench, endToEnd, idleRelayCpu, type PipelineMode, rawProducer } from './bench/events.ts';
import { createDatabase, databaseUrl, dropDatabase } from './bench/infra.ts';
import { Samples } from './bench/stats.ts';

const ROUNDS = Number(process.argv[2] ?? 3);
const MODES = (process.argv[3] ?? 'one-at-a-time,per-event,set-based').split(',') as PipelineMode[];
const LABELS: Record<PipelineMode, string> = {
  'one-at-a-time': 'one event per transaction, polling',
  'per-event': 'batches, a handler per event',
  'set-based': 'batches, set-based handlers (now)',
};
const run = randomBytes(3).toString('hex');
const dbName = `crm_bench_events_${run}`;
const bench: EventsBench = { brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), url: databaseUrl(dbName), run };

await createDatabase(dbName);
const figures = new Samples();
try {
  for (let round = 1; round <= ROUNDS; round++) {
    const ns = `bench-${run}-r${round}`;
    figures.add('raw', await rawProducer(bench, ns));
    // Each round in another order, so that no mode always runs first.
    const order = MODES.map((_, i) => MODES[(i + round) % MODES.length] as PipelineMode);
    for (const mode of order) {
      figures.add(`applied ${mode}`, await applied(bench, mode, `${ns}-a-${mode}`));
      const e2e = await endToEnd(bench, mode, `${ns}-e-${mode}`);
      figures.add(`p50 ${mode}`, e2e.p50);
      figures.add(`p99 ${mode}`, e2e.p99);
      figures.add(`idle cpu ${mode}`, await idleRelayCpu(bench, mode, `${ns}-i-${mode}`));
    }
    console.error(`round ${round}: ${JSON.stringify(Object.fromEntries(figures.names().map((k) => [k, Math.round(figures.last(k) ?? 0)])))}`);
  }
} finally {
  await dropDatabase(dbName);
}

const m = (name: string) => figures.median(name);
const raw = m('raw');
const rows: [string, string, string, string][] = [];
for (const mode of MODES) {
  const label = LABELS[mode];
  rows.push([
    `applied/s, ${(bench.backlog ?? 5_000).toLocaleString('en-US')} waiting: ${label}`,
    `${m(`applied ${mode}`).toFixed(0)} vs raw ${raw.toFixed(0)}/s`,
    (m(`applied ${mode}`) / raw).toFixed(3),
    '>= 0.5',
  ]);
  rows.push([
    `commit->inbox p50 / p99: ${label}`,
    `${m(`p50 ${mode}`).toFixed(0)} / ${m(`p99 ${mode}`).toFixed(0)} ms`,
    (m(`p99 ${mode}`) / Math.max(1, m(`p50 ${mode}`))).toFixed(1),
    '<= 10',
  ]);
  rows.push([`idle relay CPU: ${label}`, `${m(`idle cpu ${mode}`).toFixed(1)} ms/s`, '', '']);
}
console.log(`${'figure'.padEnd(66)} ${`raw figures (median of ${ROUNDS})`.padEnd(30)} ${'ratio'.padEnd(7)} goal`);
for (const [what, value, ratio, goal] of rows) console.log(`${what.padEnd(66)} ${value.padEnd(30)} ${ratio.padEnd(7)} ${goal}`);
process.exit(0);
