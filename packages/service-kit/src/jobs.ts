import { type Kysely, sql } from 'kysely';
import { type AuditActor, systemActor, writeAudit } from './audit.ts';
import type { Logger } from './logger.ts';

/** What a scheduled run receives: its database (one connection), the as-of date and the clock. */
export interface JobContext<DB> {
  db: Kysely<DB>;
  logger: Logger;
  /** The business date the run is for, YYYY-MM-DD. Runs must be repeatable for any date. */
  asOf: string;
  now: Date;
}

/** A scheduled run of a service (end of day, tier evaluation, SLA checks...). */
export interface JobDefinition<DB> {
  /** Stable name, kebab-case: `end-of-day`. */
  name: string;
  description: string;
  /** How often a running service triggers it (for today's date). */
  everyMs: number;
  /** Does the work set-wise; returns counts worth logging (rows updated, events emitted...). */
  run(ctx: JobContext<DB>): Promise<Record<string, number>>;
}

export interface JobRunner {
  /** Runs one job now for a date (administrators' mutations and tests call this); audited as `job:<name>` by `actor` (default: the scheduler). */
  run(name: string, asOf: string, actor?: AuditActor): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

/** UTC calendar date of an instant. */
export const isoDate = (d: Date): string => d.toISOString().slice(0, 10);

/**
 * Schedules a service's jobs. One run of a job at a time across all replicas: on PostgreSQL a
 * session advisory lock keyed by the job name, held on the connection the job runs on; a replica
 * that does not get it skips that tick.
 */
export function startJobs<DB>(options: {
  service: string;
  jobs: readonly JobDefinition<DB>[];
  db: Kysely<DB>;
  engine: 'postgres' | 'pglite';
  logger: Logger;
  /** False: nothing is scheduled (tests run jobs by hand). */
  schedule: boolean;
}): JobRunner {
  const byName = new Map(options.jobs.map((j) => [j.name, j]));
  const timers: NodeJS.Timeout[] = [];
  const running = new Set<Promise<unknown>>();

  async function run(name: string, asOf: string, actor: AuditActor = systemActor(options.service)): Promise<Record<string, number>> {
    const job = byName.get(name);
    if (!job) throw new Error(`Unknown job ${name}`);
    const logger = options.logger.child({ job: name, asOf });
    const started = new Date();
    try {
      const result = await runLocked(job, name, asOf, logger);
      await writeAudit(options.db, actor, {
        kind: 'JOB',
        action: `job:${name}`,
        outcome: 'SUCCEEDED',
        entityType: 'Job',
        entityId: name,
        detail: { asOf, startedAt: started.toISOString(), finishedAt: new Date().toISOString(), ...result },
      });
      return result;
    } catch (error) {
      await writeAudit(options.db, actor, {
        kind: 'JOB',
        action: `job:${name}`,
        outcome: 'FAILED',
        entityType: 'Job',
        entityId: name,
        detail: { asOf, startedAt: started.toISOString(), error: error instanceof Error ? error.message.slice(0, 200) : 'Error' },
      }).catch(() => undefined);
      throw error;
    }
  }

  async function runLocked(job: JobDefinition<DB>, name: string, asOf: string, logger: Logger): Promise<Record<string, number>> {
    return options.db.connection().execute(async (conn) => {
      if (options.engine === 'postgres') {
        const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_lock(hashtext(${`job:${name}`})) as locked`.execute(conn);
        if (!rows[0]?.locked) {
          logger.info('job already running elsewhere; skipped');
          return { skipped: 1 };
        }
      }
      const started = Date.now();
      try {
        const result = await job.run({ db: conn, logger, asOf, now: new Date() });
        logger.info({ ...result, ms: Date.now() - started }, 'job finished');
        return result;
      } finally {
        if (options.engine === 'postgres') await sql`select pg_advisory_unlock(hashtext(${`job:${name}`}))`.execute(conn);
      }
    });
  }

  if (options.schedule) {
    for (const job of options.jobs) {
      const timer = setInterval(() => {
        const p = run(job.name, isoDate(new Date()))
          .catch((error: unknown) => options.logger.error({ err: error, job: job.name }, 'job failed'))
          .finally(() => running.delete(p));
        running.add(p);
      }, job.everyMs);
      timer.unref();
      timers.push(timer);
    }
  }

  return {
    run,
    async stop() {
      for (const t of timers) clearInterval(t);
      await Promise.allSettled([...running]);
    },
  };
}
