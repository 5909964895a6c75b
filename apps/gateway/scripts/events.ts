/**
 * Operations on one service's event tables (dead letters, outbox, retention):
 *
 *   pnpm events dlq list    --service <name> [--all] [--json]   dead letters not yet replayed (--all: with replayed)
 *   pnpm events dlq show    --service <name> <id>               one dead letter, personal data masked
 *   pnpm events dlq replay  --service <name> <id> | --all       re-deliver to the service's handler (through the inbox)
 *   pnpm events outbox republish --service <name> (--from-seq N [--to-seq M] | --since ISO [--until ISO]) [--type T]
 *   pnpm events outbox lag  --service <name>                    age of the oldest unpublished row
 *   pnpm events purge       --service <name>                    run the retention purge now
 *
 * Database: DATABASE_URL (with --schema or DATABASE_SCHEMA when the service lives in a schema,
 * as in embedded mode on PostgreSQL where the schema is the service name), else the embedded
 * PGlite directory DATA_DIR/<service> (default .data at the repository root; stop `pnpm start`
 * first: PGlite is single-process). Replay runs the handler in this process, so the service
 * need not run; re-published outbox rows go out when the service's relay next runs.
 */
import { existsSync } from 'node:fs';
import { creditService } from '@crm/credit';
import { customersService } from '@crm/customers';
import { engagementService } from '@crm/engagement';
import {
  type EventHandlers,
  listDeadLetters,
  outboxLagSeconds,
  PRODUCERS,
  type Producer,
  purgeEventTables,
  replayAllDeadLetters,
  replayDeadLetter,
  republishOutbox,
  showDeadLetter,
} from '@crm/events';
import { loyaltyService } from '@crm/loyalty';
import { type DatabaseTarget, eventRetentionFromEnv, migrateEventOperations, openDatabase } from '@crm/service-kit';

// biome-ignore lint/suspicious/noExplicitAny: each service's handlers are typed with its own DB.
const handlersOf: Record<Producer, EventHandlers<any>> = {
  customers: customersService.handlers,
  credit: creditService.handlers,
  engagement: engagementService.handlers,
  loyalty: loyaltyService.handlers,
};

const args = process.argv.slice(2);
const flags = new Map<string, string | true>();
const positional: string[] = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i] as string;
  if (!a.startsWith('--')) {
    positional.push(a);
    continue;
  }
  const [name, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
  const next = args[i + 1];
  if (inline !== undefined) flags.set(name, inline);
  else if (['all', 'json'].includes(name) || next === undefined || next.startsWith('--')) flags.set(name, true);
  else {
    flags.set(name, next);
    i++;
  }
}
const flag = (name: string) => {
  const v = flags.get(name);
  return typeof v === 'string' ? v : undefined;
};

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

const [area, command, id] = positional;
const service = (flag('service') ?? process.env.EVENTS_SERVICE) as Producer | undefined;
if (!area || !service) {
  fail(
    'usage: pnpm events dlq list|show <id>|replay <id>|replay --all --service <customers|credit|engagement|loyalty>\n' +
      '       pnpm events outbox republish|lag --service <name> [...], pnpm events purge --service <name>',
  );
}
if (!PRODUCERS.includes(service)) fail(`unknown service ${service}; one of ${PRODUCERS.join(', ')}`);

const url = process.env.DATABASE_URL;
const schema = flag('schema') ?? process.env.DATABASE_SCHEMA;
const dataDir = process.env.DATA_DIR ?? new URL('../../../.data', import.meta.url).pathname;
const target: DatabaseTarget = url
  ? { kind: 'postgres', url, ...(schema ? { schema } : {}), poolSize: 2 }
  : { kind: 'pglite', dataDir: `${dataDir}/${service}` };
if (target.kind === 'pglite' && !existsSync(target.dataDir ?? '')) fail(`no embedded database at ${target.dataDir} (set DATA_DIR, or DATABASE_URL)`);
const database = await openDatabase(target);
const { db } = database;
const json = flags.has('json');
const print = (value: unknown) => console.log(JSON.stringify(value, null, 2));

try {
  await migrateEventOperations(database);
  if (area === 'dlq' && command === 'list') {
    const rows = await listDeadLetters(db, { includeReplayed: flags.has('all'), limit: Number(flag('limit') ?? 100) });
    if (json) print(rows);
    else if (!rows.length) console.log('no dead letters');
    else {
      for (const r of rows) {
        console.log(
          `${r.id.padStart(6)}  ${r.deadLetteredAt.toISOString()}  ${r.type}  event ${r.eventId}  attempts ${r.attempts}` +
            `${r.replayedAt ? `  replayed ${r.replayedAt.toISOString()}` : r.replayable ? '' : '  (raw event not kept)'}\n        ${r.error.slice(0, 200)}`,
        );
      }
    }
  } else if (area === 'dlq' && command === 'show') {
    if (!id) fail('usage: pnpm events dlq show <id> --service <name>');
    const row = await showDeadLetter(db, id);
    if (!row) fail(`no dead letter ${id}`);
    print(row);
  } else if (area === 'dlq' && command === 'replay') {
    const handlers = handlersOf[service];
    if (flags.has('all')) {
      const results = await replayAllDeadLetters(db, handlers);
      for (const r of results) console.log(`${r.id}: ${r.outcome}${r.error ? ` (${r.error})` : ''}`);
      console.log(`${results.filter((r) => r.outcome !== 'failed').length} replayed, ${results.filter((r) => r.outcome === 'failed').length} failed`);
      if (results.some((r) => r.outcome === 'failed')) process.exitCode = 1;
    } else {
      if (!id) fail('usage: pnpm events dlq replay <id>|--all --service <name>');
      console.log(`${id}: ${await replayDeadLetter(db, handlers, id)}`);
    }
  } else if (area === 'outbox' && command === 'republish') {
    const date = (v: string | undefined) => {
      if (!v) return undefined;
      const d = new Date(v);
      if (Number.isNaN(d.getTime())) fail(`not a date: ${v}`);
      return d;
    };
    const n = await republishOutbox(db, {
      fromSeq: flag('from-seq'),
      toSeq: flag('to-seq'),
      since: date(flag('since')),
      until: date(flag('until')),
      type: flag('type'),
    });
    console.log(`${n} outbox row(s) marked for re-publishing; the ${service} relay sends them again in order`);
  } else if (area === 'outbox' && command === 'lag') {
    console.log(`${(await outboxLagSeconds(db)).toFixed(1)} s`);
  } else if (area === 'purge') {
    print(await purgeEventTables(db, new Date(), eventRetentionFromEnv(process.env)));
  } else {
    fail(`unknown command: ${positional.join(' ')}`);
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
} finally {
  await database.close();
}
