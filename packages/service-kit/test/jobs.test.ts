import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTableMigration } from '../src/audit.ts';
import type { Database } from '../src/db.ts';
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
});
