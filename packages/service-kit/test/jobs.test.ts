import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuditActor, auditTableMigration } from '../src/audit.ts';
import type { Database } from '../src/db.ts';
import { findJobRuns, futureAsOfError, jobProgressOf, jobRunProgressMigration, jobRunTableMigration, runJobAsCaller } from '../src/job-runs.ts';
import { type JobDefinition, startJobs } from '../src/jobs.ts';
import { createLogger } from '../src/logger.ts';
import { openTestDatabase } from '../src/testing/index.ts';

interface DB {
  run_log: { as_of: string };
}

describe('scheduled jobs', () => {
  let database: Database<DB>;
  beforeAll(async () => {
    database = await openTestDatabase<DB>('jobs', {
      '0000': auditTableMigration,
      '0000a': jobRunTableMigration,
      '0000b': jobRunProgressMigration,
      '0001': {
        // biome-ignore lint/suspicious/noExplicitAny: migration against an untyped database
        up: async (db: import('kysely').Kysely<any>) => {
          await db.schema
            .createTable('run_log')
            .addColumn('as_of', 'date', (c) => c.primaryKey())
            .execute();
        },
      },
    });
  });
  afterAll(async () => {
    await database.close();
  });

  const job: JobDefinition<DB> = {
    name: 'record-day',
    description: 'records the as-of date once (repeatable)',
    everyMs: 60_000,
    run: async ({ db, asOf }) => {
      const res = await db
        .insertInto('run_log')
        .values({ as_of: asOf })
        .onConflict((oc) => oc.column('as_of').doNothing())
        .executeTakeFirst();
      return { inserted: Number(res.numInsertedOrUpdatedRows ?? 0) };
    },
  };

  it('runs a job by name for a given date, repeatably', async () => {
    const runner = startJobs({
      service: 'test',
      jobs: [job],
      db: database.db,
      engine: database.target.kind,
      logger: createLogger('t', 'silent'),
      schedule: false,
    });
    expect(await runner.run('record-day', '2024-02-29')).toEqual({ inserted: 1 });
    expect(await runner.run('record-day', '2024-02-29')).toEqual({ inserted: 0 });
    await expect(runner.run('nope', '2024-02-29')).rejects.toThrow('Unknown job nope');
    const { rows } = await sql<{ n: string }>`select count(*)::text as n from run_log`.execute(database.db);
    expect(rows[0]?.n).toBe('1');
    await runner.stop();
  });

  it('records every run in job_run, newest first, and refuses a future as-of date (DATE_IN_FUTURE)', async () => {
    const runner = startJobs({
      service: 'test',
      jobs: [job],
      db: database.db,
      engine: database.target.kind,
      logger: createLogger('t', 'silent'),
      schedule: false,
    });
    const actor: AuditActor = { service: 'test', identity: { userId: 'admin-1', roles: ['administrator'] }, correlationId: null };
    const ctx = { jobs: runner, audit: { actor }, now: () => new Date('2024-03-10T12:00:00Z') };
    const done = await runJobAsCaller(ctx, 'record-day', '2024-03-10');
    expect(done.userErrors).toEqual([]);
    expect(done.run).toMatchObject({
      job: 'record-day',
      asOf: '2024-03-10',
      affected: 1,
      skipped: false,
      outcome: 'SUCCEEDED',
      actorId: 'admin-1',
      counts: { inserted: 1 },
    });
    expect(await runJobAsCaller(ctx, 'record-day', '2024-03-11')).toEqual({
      run: null,
      userErrors: [{ field: 'asOf', code: 'DATE_IN_FUTURE', message: expect.any(String) }],
    });
    expect(futureAsOfError('2024-03-10', new Date('2024-03-10T23:59:59Z'))).toBeNull();

    const page = await findJobRuns(database.db, { job: 'RECORD_DAY' }, { first: 2 });
    expect(page.edges.map((e) => [e.node.asOf, e.node.actorId, e.node.affected])).toEqual([
      ['2024-03-10', 'admin-1', 1],
      ['2024-02-29', 'system:scheduler', 0],
    ]);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const rest = await findJobRuns(database.db, {}, { first: 10, after: page.pageInfo.endCursor });
    expect(rest.edges.map((e) => [e.node.asOf, e.node.counts])).toEqual([['2024-02-29', { inserted: 1 }]]);
    expect((await findJobRuns(database.db, { job: 'OTHER_JOB' }, {})).edges).toEqual([]);
    await runner.stop();
  });

  it('shows a running job as RUNNING with its progress, readable while it works, then how it ended', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const slow: JobDefinition<DB> = {
      name: 'slow-pages',
      description: 'three pages, waits after the second',
      everyMs: 60_000,
      run: async ({ db, progress }) => {
        for (let page = 1; page <= 3; page++) {
          await db.transaction().execute((tx) => sql`select 1`.execute(tx));
          await progress(page * 100, 300);
          if (page === 1) await new Promise((r) => setTimeout(r, 1_100)); // past the write throttle
          if (page === 2) await gate;
        }
        return { pages: 3 };
      },
    };
    const runner = startJobs({
      service: 'test',
      jobs: [slow],
      db: database.db,
      engine: database.target.kind,
      logger: createLogger('t', 'silent'),
      schedule: false,
    });
    const running = runner.execute('slow-pages', '2024-03-10');
    const seen = await (async () => {
      for (let i = 0; i < 200; i++) {
        const node = (await findJobRuns(database.db, { job: 'SLOW_PAGES' }, { first: 1 })).edges[0]?.node;
        if (node?.progress?.done === 200) return node;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('progress of the running job never became readable');
    })();
    expect(seen.outcome).toBe('RUNNING');
    expect(seen.finishedAt).toBeNull();
    expect(jobProgressOf(seen)).toMatchObject({ done: 200, total: 300, percent: 66.7, secondsLeft: expect.any(Number) });
    // a second run of the same job while this one works is skipped, not interleaved
    expect((await runner.execute('slow-pages', '2024-03-10')).skipped).toBe(true);
    release();
    const run = await running;
    expect(run.outcome).toBe('SUCCEEDED');
    const ended = (await findJobRuns(database.db, { job: 'SLOW_PAGES' }, { first: 5 })).edges.map((e) => e.node);
    expect(ended.map((r) => r.outcome).sort()).toEqual(['SKIPPED', 'SUCCEEDED']);
    const finished = ended.find((r) => r.outcome === 'SUCCEEDED');
    expect(finished?.progress).toMatchObject({ done: 300, total: 300 });
    expect(finished && jobProgressOf(finished)).toMatchObject({ percent: 100, secondsLeft: 0 });
    await runner.stop();
  });
});
