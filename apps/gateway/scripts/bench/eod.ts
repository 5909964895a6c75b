/**
 * The end-of-day run over the BI data set's instalments against one set-based UPDATE of the same
 * instalments by a bare `pg` client (`pnpm bench`): the run's own SQL (stage, buckets, classes,
 * notices, warnings, snapshot, events) is several set-wise statements, so it should cost a small
 * multiple of the one UPDATE, whatever the number of instalments, never a statement per row.
 */
import { registerStateProjection } from '@crm/events';
import { createLogger, type Database, openDatabase } from '@crm/service-kit';
import type pg from 'pg';
import { creditService } from '../../src/services.ts';

const logger = createLogger('bench-eod', 'silent');

export interface EndOfDay {
  /** The credit job `end-of-day` for an as-of date, in ms. */
  run(asOf: string): Promise<number>;
  close(): Promise<void>;
}

export async function endOfDay(creditDatabaseUrl: string): Promise<EndOfDay> {
  const job = creditService.jobs?.find((j) => j.name === 'end-of-day');
  if (!job) throw new Error('credit has no end-of-day job');
  // As in the credit service: each changed loan's state record goes out with the run's events.
  if (creditService.state) registerStateProjection(creditService.state);
  // biome-ignore lint/suspicious/noExplicitAny: credit's database type stays inside credit.
  const database: Database<any> = await openDatabase({ kind: 'postgres', url: creditDatabaseUrl, poolSize: 2 });
  return {
    async run(asOf) {
      const started = performance.now();
      await job.run({ db: database.db, logger, asOf, now: new Date(`${asOf}T23:00:00Z`), progress: async () => {} });
      return performance.now() - started;
    },
    close: () => database.close(),
  };
}

/**
 * The one-statement baseline: days past due and the penalty of every unpaid instalment due by
 * the date (the heart of the run), in one UPDATE, in ms.
 */
export async function oneUpdate(pool: pg.Pool, asOf: string): Promise<{ ms: number; rows: number }> {
  const started = performance.now();
  const r = await pool.query(
    `update instalment set dpd = greatest(0, $1::date - due_date),
       penalty = round((principal + interest - principal_paid - interest_paid) * 0.365 * greatest(0, $1::date - due_date - 3) / 365, 2)
     where paid_on is null and due_date <= $1::date`,
    [asOf],
  );
  return { ms: performance.now() - started, rows: r.rowCount ?? 0 };
}
