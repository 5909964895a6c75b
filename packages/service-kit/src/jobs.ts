import { type Kysely, sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { type AuditActor, systemActor, writeAudit } from './audit.ts';
import { isoDate } from './dates.ts';
import { businessDateSeconds, type JobRunResult, latestSucceededDates, recordJobProgress, recordJobRun } from './job-runs.ts';
import type { Logger } from './logger.ts';
import { jobDuration, jobLastBusinessDate, jobRuns } from './metrics.ts';
import { formatProgress } from './progress.ts';

/** What a scheduled run receives: its database (one connection), the as-of date and the clock. */
export interface JobContext<DB> {
  db: Kysely<DB>;
  logger: Logger;
  /** The business date the run is for, YYYY-MM-DD. Runs must be repeatable for any date. */
  asOf: string;
  now: Date;
  /**
   * Reports progress: `done` items of `total` (when known). Call it per page, not per row: it
   * writes the run's row at most once a second (readable through `<service>JobRuns` while the job
   * runs) and logs a progress line at most every ten seconds.
   */
  progress(done: number, total?: number | null): Promise<void>;
}

/** How often a running job's progress reaches its row and its log. */
const PROGRESS_WRITE_MS = 1_000;
const PROGRESS_LOG_MS = 10_000;

/** A scheduled run of a service (end of day, tier evaluation, SLA checks...). */
export interface JobDefinition<DB> {
  /** Stable name, kebab-case: `end-of-day`. */
  name: string;
  description: string;
  /** How often a running service triggers it (for today's date). */
  everyMs: number;
  /** Does the work set-wise; returns counts worth logging (rows updated, events emitted...). */
  run(ctx: JobContext<DB>): Promise<Record<string, number>>;
  /** How many rows a run changed, from its counts (default: their sum); counts of what was only examined stay out. */
  affected?(counts: Record<string, number>): number;
}

export interface JobRunner {
  /** Runs one job now for a date (administrators' mutations and tests call this); audited as `job:<name>` by `actor` (default: the scheduler). */
  run(name: string, asOf: string, actor?: AuditActor): Promise<Record<string, number>>;
  /** Same as `run`, answering the run as recorded in `job_run` (the `JobRun` of the job mutations). */
  execute(name: string, asOf: string, actor?: AuditActor): Promise<JobRunResult>;
  stop(): Promise<void>;
}

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
  const inProcess = new Set<string>();

  async function run(name: string, asOf: string, actor: AuditActor = systemActor(options.service)): Promise<Record<string, number>> {
    return (await execute(name, asOf, actor)).counts;
  }

  /** Runs a job and records the run: a `job_run` row (history) and a JOB audit record. */
  async function execute(name: string, asOf: string, actor: AuditActor = systemActor(options.service)): Promise<JobRunResult> {
    const job = byName.get(name);
    if (!job) throw new Error(`Unknown job ${name}`);
    const logger = options.logger.child({ job: name, asOf });
    const started = new Date();
    const base = { id: uuidv7(), job: name, asOf, startedAt: started, actorId: actor.identity?.userId ?? 'anonymous' };
    try {
      // The run is visible (RUNNING, with its progress) from its start.
      await recordJobRun(options.db, {
        id: base.id,
        job: name,
        as_of: asOf,
        started_at: started,
        finished_at: null,
        affected: 0,
        skipped: false,
        outcome: 'RUNNING',
        counts: {},
        actor_id: base.actorId,
        error: null,
      });
      const result = await runLocked(job, name, asOf, logger, base.id, started);
      const skipped = result.skipped === 1 && Object.keys(result).length === 1;
      const run: JobRunResult = {
        ...base,
        finishedAt: new Date(),
        counts: result,
        skipped,
        outcome: skipped ? 'SKIPPED' : 'SUCCEEDED',
        affected: skipped ? 0 : (job.affected?.(result) ?? Object.values(result).reduce((s, v) => s + v, 0)),
      };
      await recordJobRun(options.db, {
        id: run.id,
        job: name,
        as_of: asOf,
        started_at: run.startedAt,
        finished_at: run.finishedAt,
        affected: run.affected,
        skipped: run.skipped,
        outcome: run.outcome,
        counts: run.counts,
        actor_id: run.actorId,
        error: null,
      });
      jobRuns.inc({ service: options.service, job: name, outcome: run.outcome });
      if (!skipped) {
        jobDuration.observe({ service: options.service, job: name }, (Date.now() - started.getTime()) / 1000);
        jobLastBusinessDate.set({ service: options.service, job: name }, Math.max(businessDateSeconds(asOf), await lastBusinessDate(name)));
      }
      await writeAudit(options.db, actor, {
        kind: 'JOB',
        action: `job:${name}`,
        outcome: 'SUCCEEDED',
        entityType: 'Job',
        entityId: name,
        detail: { asOf, startedAt: started.toISOString(), finishedAt: run.finishedAt?.toISOString(), ...result },
      });
      return run;
    } catch (error) {
      const message = error instanceof Error ? error.message.slice(0, 200) : 'Error';
      jobRuns.inc({ service: options.service, job: name, outcome: 'FAILED' });
      await recordJobRun(options.db, {
        id: base.id,
        job: name,
        as_of: asOf,
        started_at: started,
        finished_at: new Date(),
        affected: 0,
        skipped: false,
        outcome: 'FAILED',
        counts: {},
        actor_id: base.actorId,
        error: message,
      }).catch(() => undefined);
      await writeAudit(options.db, actor, {
        kind: 'JOB',
        action: `job:${name}`,
        outcome: 'FAILED',
        entityType: 'Job',
        entityId: name,
        detail: { asOf, startedAt: started.toISOString(), error: message },
      }).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Runs a job. On PostgreSQL on one connection holding the job's advisory lock (one run across
   * replicas). On PGlite (one process, one instance) without pinning a connection: holding one
   * would lease the whole instance for the run, so requests and the job's own progress readers
   * could not get in between its transactions.
   */
  async function runLocked(
    job: JobDefinition<DB>,
    name: string,
    asOf: string,
    logger: Logger,
    runId: string,
    runStarted: Date,
  ): Promise<Record<string, number>> {
    const work = async (db: Kysely<DB>) => {
      const started = Date.now();
      let lastWrite = 0;
      let lastLog = Date.now();
      const progress = async (done: number, total: number | null = null) => {
        const now = Date.now();
        const finished = total !== null && done >= total;
        if (!finished && now - lastWrite < PROGRESS_WRITE_MS) return;
        lastWrite = now;
        await recordJobProgress(db, runId, done, total, new Date(now));
        if (now - lastLog >= PROGRESS_LOG_MS) {
          lastLog = now;
          logger.info({ done, total, ...(total ? { label: formatProgress(name, done, total, now - runStarted.getTime()) } : {}) }, 'job progress');
        }
      };
      const result = await job.run({ db, logger, asOf, now: new Date(), progress });
      logger.info({ ...result, ms: Date.now() - started }, 'job finished');
      return result;
    };
    // One run of a job at a time in this process (the advisory lock covers other replicas).
    if (inProcess.has(name)) {
      logger.info('job already running in this process; skipped');
      return { skipped: 1 };
    }
    inProcess.add(name);
    try {
      if (options.engine !== 'postgres') return await work(options.db);
      return await lockedOnPostgres(name, logger, work);
    } finally {
      inProcess.delete(name);
    }
  }

  async function lockedOnPostgres(name: string, logger: Logger, work: (db: Kysely<DB>) => Promise<Record<string, number>>): Promise<Record<string, number>> {
    return options.db.connection().execute(async (conn) => {
      const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_lock(hashtext(${`job:${name}`})) as locked`.execute(conn);
      if (!rows[0]?.locked) {
        logger.info('job already running elsewhere; skipped');
        return { skipped: 1 };
      }
      try {
        return await work(conn);
      } finally {
        await sql`select pg_advisory_unlock(hashtext(${`job:${name}`}))`.execute(conn);
      }
    });
  }

  /** The latest business date a job succeeded for, as the gauge holds it (0: none yet). */
  async function lastBusinessDate(name: string): Promise<number> {
    const metric = await jobLastBusinessDate.get();
    return metric.values.find((v) => v.labels.job === name && v.labels.service === options.service)?.value ?? 0;
  }
  // crm_job_last_success_business_date_seconds starts from the history, so a restart does not
  // look like a missed business date (one query; a failure leaves the gauge to the next run).
  void latestSucceededDates(options.db)
    .then((dates) => {
      for (const { job, asOf } of dates) jobLastBusinessDate.set({ service: options.service, job }, businessDateSeconds(asOf));
    })
    .catch((error: unknown) => options.logger.warn({ err: error }, 'job history not read for the business-date gauge'));

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
    execute,
    async stop() {
      for (const t of timers) clearInterval(t);
      await Promise.allSettled([...running]);
    },
  };
}
