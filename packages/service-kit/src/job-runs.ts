import { type Generated, type Kysely, type Migration, sql, type Transaction } from 'kysely';
import type { AuditActor } from './audit.ts';
import { dateText, isoDate } from './dates.ts';
import type { UserError } from './errors.ts';
import type { JobRunner } from './jobs.ts';
import { type Connection, decodeCursor, type PageArgs, pageSize, toConnection } from './pagination.ts';

/** RUNNING while the job works (its progress is readable), then how it ended. */
export type JobRunOutcome = 'RUNNING' | 'SUCCEEDED' | 'SKIPPED' | 'FAILED';

/** One run of a scheduled job (scheduled or asked for by a person): the history behind `<service>JobRuns`. */
export interface JobRunTable {
  seq: Generated<string>;
  id: string;
  /** The job's stable kebab-case name (`end-of-day`). */
  job: string;
  as_of: string;
  started_at: Date;
  finished_at: Date | null;
  /** Rows the run changed (see `JobDefinition.affected`). */
  affected: number;
  /** True when another replica held the job's lock, so this run did nothing. */
  skipped: boolean;
  outcome: JobRunOutcome;
  /** The counts the job reported, `{ name: value }`. */
  counts: unknown;
  actor_id: string;
  error: string | null;
  /** Items done so far (see `JobContext.progress`); null for a job that reports none. */
  progress_done: string | null;
  /** Items the run will go through, when the job knows. */
  progress_total: string | null;
  /** When progress was last written. */
  progress_at: Date | null;
}

export interface JobRunTables {
  job_run: JobRunTable;
}

export type JobRunRow = {
  [K in keyof JobRunTable]: JobRunTable[K] extends Generated<infer T> ? T : JobRunTable[K];
};

// biome-ignore lint/suspicious/noExplicitAny: accepts every service's Kysely<DB>; narrowed to JobRunTables inside.
type AnyDb = Kysely<any> | Transaction<any>;
const jobRunDb = (db: AnyDb) => db as unknown as Kysely<JobRunTables>;

/** The job-run history table of a service; every service lists it in its migrations. Frozen like every migration. */
export const jobRunTableMigration: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations are written against an untyped database.
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('job_run')
      .addColumn('seq', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('job', 'text', (c) => c.notNull())
      .addColumn('as_of', 'date', (c) => c.notNull())
      .addColumn('started_at', 'timestamptz', (c) => c.notNull())
      .addColumn('finished_at', 'timestamptz')
      .addColumn('affected', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('skipped', 'boolean', (c) => c.notNull().defaultTo(false))
      .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('SUCCEEDED', 'SKIPPED', 'FAILED')`))
      .addColumn('counts', 'jsonb')
      .addColumn('actor_id', 'text', (c) => c.notNull())
      .addColumn('error', 'text')
      .execute();
    await db.schema.createIndex('job_run_job_idx').on('job_run').columns(['job', 'seq']).execute();
  },
  // biome-ignore lint/suspicious/noExplicitAny: migrations are written against an untyped database.
  async down(db: Kysely<any>) {
    await db.schema.dropTable('job_run').execute();
  },
};

/**
 * Lets job runs be RUNNING with progress: relaxes the outcome check and adds the progress columns.
 * Listed by every service after `jobRunTableMigration`; frozen like every migration.
 */
export const jobRunProgressMigration: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations are written against an untyped database.
  async up(db: Kysely<any>) {
    await sql`alter table job_run drop constraint if exists job_run_outcome_check`.execute(db);
    await sql`alter table job_run add constraint job_run_outcome_check check (outcome in ('RUNNING', 'SUCCEEDED', 'SKIPPED', 'FAILED'))`.execute(db);
    await sql`alter table job_run add column progress_done bigint, add column progress_total bigint, add column progress_at timestamptz`.execute(db);
  },
};

type JobRunWrite = Omit<JobRunRow, 'seq' | 'counts' | 'progress_done' | 'progress_total' | 'progress_at'> & { counts: Record<string, number> };

/** Records a job run: inserts it, or (same id) writes how a RUNNING run ended. */
export async function recordJobRun(db: AnyDb, row: JobRunWrite): Promise<void> {
  const values = { ...row, counts: JSON.stringify(row.counts) };
  await jobRunDb(db)
    .insertInto('job_run')
    .values(values)
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({
        finished_at: values.finished_at,
        affected: values.affected,
        skipped: values.skipped,
        outcome: values.outcome,
        counts: values.counts,
        error: values.error,
      }),
    )
    .execute();
}

/** Writes a running job's progress (autocommit on the job's connection, so readers see it while it runs). */
export async function recordJobProgress(db: AnyDb, id: string, done: number, total: number | null, at: Date): Promise<void> {
  await jobRunDb(db)
    .updateTable('job_run')
    .set({ progress_done: String(done), progress_total: total === null ? null : String(total), progress_at: at })
    .where('id', '=', id)
    .execute();
}

/** The latest business date each job succeeded for (for the business-date gauge at start). */
export async function latestSucceededDates(db: AnyDb): Promise<{ job: string; asOf: string }[]> {
  const rows = await jobRunDb(db)
    .selectFrom('job_run')
    .select(['job', (eb) => eb.fn.max('as_of').as('as_of')])
    .where('outcome', '=', 'SUCCEEDED')
    .groupBy('job')
    .execute();
  return rows.map((r) => ({ job: r.job, asOf: dateText(r.as_of as string | Date) }));
}

/** A business date (YYYY-MM-DD) as the Unix seconds of its midnight UTC (the metrics' unit). */
export const businessDateSeconds = (asOf: string): number => Date.parse(`${asOf}T00:00:00Z`) / 1000;

/** Job runs newest first, keyset paged; `job` is a value of the service's job enum (`END_OF_DAY`). */
export async function findJobRuns(db: AnyDb, filter: { job?: string | null }, page: PageArgs): Promise<Connection<JobRunResult>> {
  const size = pageSize(page.first);
  let query = jobRunDb(db).selectFrom('job_run').selectAll();
  if (filter.job) query = query.where('job', '=', jobNameOf(filter.job));
  if (page.after) {
    const [seq] = decodeCursor(page.after, 1);
    query = query.where('seq', '<', String(seq));
  }
  const rows = await query
    .orderBy('seq', 'desc')
    .limit(size + 1)
    .execute();
  return toConnection(rows as JobRunRow[], size, (r) => [String(r.seq)], jobRunOfRow);
}

/** `end-of-day` -> `END_OF_DAY`: the value of a job in its service's job enum (`CreditJob`...). */
export const jobEnumValue = (name: string): string => name.toUpperCase().replace(/-/g, '_');
/** `END_OF_DAY` -> `end-of-day`: the job name of a job enum value. */
export const jobNameOf = (value: string): string => value.toLowerCase().replace(/_/g, '-');

/**
 * The one as-of check of every job mutation: a run is for a date up to the later of the wall
 * clock's today and the service's business date (the replica of credit's, see business-date.ts;
 * null or absent: today alone), never a later one. The message names the date that bounds it.
 */
export function futureAsOfError(asOf: string, now: Date, businessDate: string | null = null): UserError | null {
  const today = isoDate(now);
  if (businessDate && businessDate > today) {
    return asOf > businessDate
      ? { field: 'asOf', code: 'DATE_IN_FUTURE', message: `a job cannot run for a date after the business date (${businessDate}; today is ${today})` }
      : null;
  }
  return asOf > today ? { field: 'asOf', code: 'DATE_IN_FUTURE', message: `a job cannot run for a date after today (${today})` } : null;
}

/** The payload of a job mutation: the run, its counts as name/value pairs (none for a skipped run) and the user errors. */
export function jobRunPayload(result: { run: JobRunResult | null; userErrors: UserError[] }) {
  const counts = result.run && !result.run.skipped ? Object.entries(result.run.counts).map(([name, value]) => ({ name, value })) : [];
  return { run: result.run, counts, userErrors: result.userErrors };
}

/** The `JobRun` GraphQL object (shared SDL block) of a job run as the runner returns it. */
export interface JobRunResult {
  id: string;
  job: string;
  asOf: string;
  startedAt: Date;
  finishedAt: Date | null;
  affected: number;
  skipped: boolean;
  outcome: JobRunOutcome;
  actorId: string;
  counts: Record<string, number>;
  /** Items done and to do, as the job last reported them (null: the job reports no progress). */
  progress?: { done: number; total: number | null; updatedAt: Date } | null;
}

/** A stored job run in the shape of the `JobRun` GraphQL type. */
export function jobRunOfRow(r: JobRunRow): JobRunResult {
  return {
    id: r.id,
    job: r.job,
    asOf: dateText(r.as_of as string | Date),
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    affected: r.affected,
    skipped: r.skipped,
    outcome: r.outcome,
    actorId: r.actor_id,
    counts: r.counts && typeof r.counts === 'object' ? (r.counts as Record<string, number>) : {},
    progress:
      r.progress_done === null || r.progress_done === undefined || !r.progress_at
        ? null
        : { done: Number(r.progress_done), total: r.progress_total === null ? null : Number(r.progress_total), updatedAt: r.progress_at },
  };
}

/** The `JobProgress` of a run: done, total, share, rate and time left, from its last report. */
export function jobProgressOf(r: JobRunResult) {
  const p = r.progress;
  if (!p) return null;
  const seconds = (p.updatedAt.getTime() - r.startedAt.getTime()) / 1000;
  const rate = seconds > 0 ? p.done / seconds : null;
  const left = p.total !== null && rate ? Math.max(0, Math.round((p.total - p.done) / rate)) : null;
  return {
    done: p.done,
    total: p.total,
    percent: p.total ? Math.min(100, Math.round((p.done / p.total) * 1000) / 10) : null,
    ratePerSecond: rate === null ? null : Math.round(rate * 10) / 10,
    secondsLeft: r.outcome === 'RUNNING' ? left : 0,
    updatedAt: p.updatedAt,
  };
}

/** Resolvers of the shared `JobRun` type (sdl/access.graphql), over `JobRunResult`. */
export const jobRunResolvers = {
  id: (r: JobRunResult) => r.id,
  job: (r: JobRunResult) => jobEnumValue(r.job),
  asOf: (r: JobRunResult) => r.asOf,
  startedAt: (r: JobRunResult) => r.startedAt,
  finishedAt: (r: JobRunResult) => r.finishedAt,
  affected: (r: JobRunResult) => r.affected,
  skipped: (r: JobRunResult) => r.skipped,
  outcome: (r: JobRunResult) => r.outcome,
  actorId: (r: JobRunResult) => r.actorId,
  counts: (r: JobRunResult) => Object.entries(r.counts).map(([name, value]) => ({ name, value })),
  progress: jobProgressOf,
};

/** What a job mutation needs of its request context. */
export interface JobMutationContext {
  jobs: JobRunner;
  audit: { actor: AuditActor };
  now(): Date;
  /** The service's business date (customers, engagement, loyalty: their replica of credit's); absent: the wall clock's today bounds the runs. */
  businessDate?: () => Promise<string | null>;
}

/**
 * The one body of every job mutation (`run<Service>Job`, `runEndOfDay`, `runGradeEvaluation`):
 * refuses an as-of date after the later of today and the service's business date (`DATE_IN_FUTURE`, the code of every
 * future date), runs the job as the caller (audited as
 * `job:<name>` by them, recorded in `job_run`), and answers a run another replica was already
 * doing with `JOB_ALREADY_RUNNING`.
 */
export async function runJobAsCaller(ctx: JobMutationContext, name: string, asOf: string): Promise<{ run: JobRunResult | null; userErrors: UserError[] }> {
  const now = ctx.now();
  const future = futureAsOfError(asOf, now, asOf > isoDate(now) && ctx.businessDate ? await ctx.businessDate() : null);
  if (future) return { run: null, userErrors: [future] };
  const run = await ctx.jobs.execute(name, asOf, ctx.audit.actor);
  if (run.skipped) return { run, userErrors: [{ field: null, code: 'JOB_ALREADY_RUNNING', message: `${name} is already running` }] };
  return { run, userErrors: [] };
}
