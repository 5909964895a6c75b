/**
 * Rough timings of the set-wise paths on an in-memory PGlite (or TEST_DATABASE_URL):
 * worklist pages deep into a large task list, and one churn-scoring run over every customer.
 *   npx tsx scripts/bench.ts [customers]
 */
import { isoDate } from '@crm/service-kit';
import { startTestService } from '@crm/service-kit/testing';
import { sql } from 'kysely';
import { findWorklist, worklistCursor } from '../src/db/worklist.store.ts';
import { engagementService } from '../src/service.ts';

const customers = Number.parseInt(process.argv[2] ?? '10000', 10);
const svc = await startTestService(engagementService, { label: 'bench' });
const { db } = svc;
const time = async <T>(label: string, f: () => Promise<T>) => {
  const started = performance.now();
  const result = await f();
  console.log(`${label}: ${(performance.now() - started).toFixed(0)} ms`);
  return result;
};

await time(`seed ${customers} customers, ${customers * 5} tasks, ${customers * 5} interactions, ${customers} loans`, async () => {
  await sql`insert into customer_replica (id, display_name, branch_id, relationship_manager_id, birth_date, updated_at)
    select 'c' || lpad(g::text, 7, '0'), 'Customer ' || g, 'BR-' || (g % 20), 'rm-' || (g % 50), date '1970-01-01' + (g % 15000), now()
    from generate_series(1, ${customers}) g`.execute(db);
  await sql`insert into task (id, customer_id, type, title, assignee_id, priority, status, due_at, source_event_id, completed_interaction_id)
    select 't' || lpad(g::text, 8, '0'), 'c' || lpad((g % ${customers} + 1)::text, 7, '0'), 'FOLLOW_UP', 'task ' || g, 'rm-' || (g % 50),
      (array['LOW','NORMAL','HIGH','URGENT'])[g % 4 + 1], (array['OPEN','OPEN','IN_PROGRESS','DONE'])[g % 4 + 1],
      now() + ((g % 200) - 100) * interval '1 hour', null, null
    from generate_series(1, ${customers * 5}) g`.execute(db);
  await sql`insert into interaction (id, customer_id, channel, direction, purpose, summary, outcome, staff_id, occurred_at)
    select 'i' || lpad(g::text, 8, '0'), 'c' || lpad((g % ${customers} + 1)::text, 7, '0'), 'PHONE', 'OUTBOUND', 'SERVICE', 'call', null, 'rm-' || (g % 50),
      now() - (g % 300) * interval '1 day'
    from generate_series(1, ${customers * 5}) g`.execute(db);
  await sql`insert into loan_replica (loan_id, customer_id, officer_id, status, bucket, days_past_due, disbursed_on, closed_on, updated_at)
    select 'l' || g, 'c' || lpad(g::text, 7, '0'), 'rm-1', case when g % 7 = 0 then 'CLOSED' else 'ACTIVE' end,
      (array['CURRENT','CURRENT','DPD_1_30','DPD_31_60','DPD_61_90'])[g % 5 + 1], 0, date '2026-01-01', case when g % 7 = 0 then date '2026-06-01' end, now()
    from generate_series(1, ${customers}) g`.execute(db);
  await sql`analyze`.execute(db);
});

const assignee = 'rm-7';
let after: string | null = null;
let pages = 0;
const { encodeCursor } = await import('@crm/service-kit');
await time(`worklist of ${assignee}: every page of 50`, async () => {
  for (;;) {
    const rows = await findWorklist(db, { kind: 'all' }, assignee, { limit: 51, after }, new Date());
    pages++;
    const last = rows[49];
    if (rows.length <= 50 || !last) break;
    after = encodeCursor(worklistCursor(last));
  }
});
console.log(`  ${pages} pages`);
const counts = await time('churn-scoring, all customers', () => svc.jobs.run('churn-scoring', isoDate(new Date())));
console.log(' ', counts);
await time('churn-scoring again (no changes)', () => svc.jobs.run('churn-scoring', isoDate(new Date())));
await svc.stop();
