/**
 * Benchmark of the end-of-day run (not a test): loads loans and instalments set-wise, then times
 * the run for a date, a second run for the same date (nothing changes, no events), and a run
 * reconstructing an earlier date.
 *
 *   npx tsx scripts/bench-eod.ts [instalments=100000]          # PGlite in memory
 *   DATABASE_URL=postgres://... npx tsx scripts/bench-eod.ts 1000000   # PostgreSQL, own schema
 */
import { randomBytes } from 'node:crypto';
import { createLogger, type DatabaseTarget, migrate, openDatabase } from '@crm/service-kit';
import { sql } from 'kysely';
import { migrations } from '../src/db/migrations/index.ts';
import type { DB } from '../src/db/schema.ts';
import { endOfDayJob } from '../src/jobs/end-of-day.job.ts';

const instalments = Number.parseInt(process.argv[2] ?? '100000', 10);
const perLoan = 12;
const loans = Math.ceil(instalments / perLoan);
const url = process.env.DATABASE_URL;
const target: DatabaseTarget = url ? { kind: 'postgres', url, schema: `bench_eod_${randomBytes(3).toString('hex')}` } : { kind: 'pglite' };
const logger = createLogger('bench-eod', 'warn');

const database = await openDatabase<DB>(target);
const db = database.db;
try {
  await migrate(database, migrations);
  const t0 = performance.now();
  await sql`insert into loan_product (id, code, name, type, currency, min_principal, max_principal, min_rate, max_rate, min_term, max_term,
      frequency, amortisation, day_count, penalty_rate, grace_days, overpayment_policy)
    values ('p-1', 'BENCH', 'Bench', 'MICRO_BUSINESS', 'USD', 100, 100000, 0, 1, 1, 60, 'MONTHLY', 'EQUAL_PRINCIPAL', 'THIRTY_360', 0.365, 3, 'REFUSE')`.execute(
    db,
  );
  // Loans disbursed over 2025, spread over 40 branches and 200 officers.
  await sql`insert into loan (id, customer_id, product_code, product_id, status, principal, currency, annual_rate, term_months, term_count,
      officer_id, branch_id, disbursed_on, schedule_version, loan_cycle)
    select 'L' || g, 'C' || (g % ${Math.max(1, Math.floor(loans * 0.8))}), 'BENCH', 'p-1', 'ACTIVE', 1200, 'USD', 0.24, ${perLoan}, ${perLoan},
      'O' || (g % 200), 'B' || (g % 40), date '2025-01-01' + (g % 365), 1, 1
    from generate_series(1, ${loans}) g`.execute(db);
  await sql`insert into instalment (loan_id, version, number, due_date, principal, interest)
    select l.id, 1, n, l.disbursed_on + make_interval(months => n), 100, round((1200 - 100 * (n - 1)) * 0.02, 2)
    from loan l cross join generate_series(1, ${perLoan}) n`.execute(db);
  // Payments: most instalments due before 2025-09-30 paid in full on their due date, one loan in seven stops paying at some point.
  await sql`insert into repayment_allocation (repayment_id, loan_id, version, number, paid_on, penalty, interest, principal)
    select 'R' || i.loan_id || '-' || i.number, i.loan_id, 1, i.number, i.due_date, 0, i.interest, i.principal
    from instalment i
    where i.due_date <= date '2025-09-30' and (hashtext(i.loan_id) % 7 <> 0 or i.number < 3 + abs(hashtext(i.loan_id)) % 6)`.execute(db);
  await sql`update instalment i set principal_paid = i.principal, interest_paid = i.interest, paid_on = i.due_date
    from repayment_allocation a where a.loan_id = i.loan_id and a.version = i.version and a.number = i.number`.execute(db);
  await sql`analyze`.execute(db);
  const loadMs = performance.now() - t0;

  const time = async (asOf: string) => {
    const started = performance.now();
    const counts = await endOfDayJob.run({ db, logger, asOf, now: new Date(`${asOf}T23:00:00Z`), progress: async () => {} });
    return { asOf, ms: Math.round(performance.now() - started), ...counts };
  };
  const first = await time('2025-09-30');
  const repeat = await time('2025-09-30');
  const past = await time('2025-06-30');
  const next = await time('2025-10-01');
  console.log(
    JSON.stringify({ engine: target.kind, loans, instalments: loans * perLoan, loadMs: Math.round(loadMs), runs: { first, repeat, past, next } }, null, 2),
  );
} finally {
  if (target.kind === 'postgres' && target.schema) await sql`drop schema ${sql.id(target.schema)} cascade`.execute(db);
  await database.close();
}
