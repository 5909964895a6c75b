/**
 * Times loyalty's set-wise jobs on a generated programme: N members with 12 earned lots each over
 * two years, a redemption each, then points expiry, tier evaluation and the programme figures.
 * `npx tsx scripts/bench-jobs.ts [members]`; PostgreSQL when TEST_DATABASE_URL is set, else PGlite.
 */
import { createLogger, startJobs } from '@crm/service-kit';
import { openTestDatabase, testDatabaseTarget } from '@crm/service-kit/testing';
import { sql } from 'kysely';
import { migrations } from '../src/db/migrations/index.ts';
import { figuresByBranch } from '../src/db/programme.store.ts';
import type { DB } from '../src/db/schema.ts';
import { jobs } from '../src/jobs/index.ts';

const members = Number(process.argv[2] ?? 5000);
const database = await openTestDatabase<DB>('loyalty_bench', migrations);
const { db } = database;
const engine = testDatabaseTarget('x').kind === 'postgres' ? 'postgres' : 'pglite';

const t0 = Date.now();
await sql`insert into loyalty_account (id, customer_id, tier, referral_code, opened_at, branch_id)
  select 'acc-' || lpad(i::text, 8, '0'), 'cust-' || i, case when i % 10 = 0 then 'GOLD' else 'BRONZE' end,
         'R' || lpad(i::text, 8, '0'), timestamptz '2025-01-01', 'BR-' || (i % 20)
  from generate_series(1, ${members}) i`.execute(db);
await sql`insert into points_entry (id, account_id, kind, points, reason, source_id, created_at, expires_at, rule_code, source_ref)
  select 'e-' || lpad(i::text, 8, '0') || '-' || lpad(m::text, 2, '0'), 'acc-' || lpad(i::text, 8, '0'), 'EARN', 25 + (i % 7) * 10,
         'Instalment paid on time', 'ev-' || i || '-' || m,
         timestamptz '2025-01-10' + (m * interval '2 months'), timestamptz '2027-01-10' + (m * interval '2 months'),
         'ON_TIME_INSTALMENT', 'loan-' || i || '#' || m
  from generate_series(1, ${members}) i, generate_series(0, 11) m`.execute(db);
await sql`insert into points_entry (id, account_id, kind, points, reason, source_id, created_at)
  select 'r-' || lpad(i::text, 8, '0'), 'acc-' || lpad(i::text, 8, '0'), 'REDEEM', -40, 'Mug', 'red-' || i, timestamptz '2026-06-01'
  from generate_series(1, ${members}) i`.execute(db);
const loaded = Date.now() - t0;

const runner = startJobs({ service: 'bench', jobs, db, engine, logger: createLogger('bench', 'silent'), schedule: false });
const time = async (label: string, fn: () => Promise<unknown>) => {
  const start = Date.now();
  const result = await fn();
  console.log(`${label}: ${Date.now() - start} ms ${JSON.stringify(result)}`);
};
console.log(`${engine}: ${members} members, ${members * 13} ledger entries loaded in ${loaded} ms`);
await time('points-expiry 2027-03-10', () => runner.run('points-expiry', '2027-03-10'));
await time('points-expiry 2027-03-10 again', () => runner.run('points-expiry', '2027-03-10'));
await time('tier-evaluation 2026-11-23', () => runner.run('tier-evaluation', '2026-11-23'));
await time('tier-evaluation 2026-11-23 again', () => runner.run('tier-evaluation', '2026-11-23'));
await time(
  'programme figures by branch',
  async () => (await figuresByBranch(db, { from: new Date('2026-01-01'), to: new Date('2027-01-01'), branchId: null, scope: { kind: 'all' } })).length,
);
await runner.stop();
await database.close();
