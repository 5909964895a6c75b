import { DAY_MS, DEFAULT_RETENTION, eventOperationsMigrations, purgeEventTables, type RetentionSettings } from '@crm/events';
import { Migrator } from 'kysely';
import { ConfigError } from './config.ts';
import { type Database, isMigrated } from './db.ts';
import type { JobDefinition } from './jobs.ts';
import type { Logger } from './logger.ts';

/**
 * The event infrastructure's own migrations after `0000_event_tables` (dead-letter replay,
 * retention indexes), applied to every service database by the runtime with their own
 * bookkeeping table, so the services' frozen migration lists need no new entry.
 */
export async function migrateEventOperations<DB>(database: Database<DB>, logger?: Logger): Promise<void> {
  if (await isMigrated(database, eventOperationsMigrations, 'kysely_migration_events')) return;
  const schema = database.target.schema;
  const migrator = new Migrator({
    db: database.db,
    provider: { getMigrations: async () => eventOperationsMigrations },
    migrationTableName: 'kysely_migration_events',
    migrationLockTableName: 'kysely_migration_events_lock',
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  for (const r of results ?? []) {
    if (r.status === 'Success') logger?.info({ migration: `events/${r.migrationName}` }, 'migration applied');
    if (r.status === 'Error') logger?.error({ migration: `events/${r.migrationName}` }, 'migration failed');
  }
  if (error) throw error instanceof Error ? error : new Error(String(error));
}

/**
 * Retention from the environment: EVENTS_OUTBOX_RETENTION_DAYS (default 7),
 * EVENTS_INBOX_RETENTION_DAYS (default 30), EVENTS_DEAD_LETTER_RETENTION_DAYS (default 30).
 * The inbox must keep ids at least as long as the outbox keeps rows (a re-published row must find
 * its id) and longer than any broker redelivery window; a bad setting stops the process.
 */
export function eventRetentionFromEnv(env: Record<string, string | undefined> = process.env): RetentionSettings {
  const days = (name: string, fallbackMs: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallbackMs;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new ConfigError([`${name} must be a positive number of days (got ${raw})`]);
    return n * DAY_MS;
  };
  const settings = {
    outboxMs: days('EVENTS_OUTBOX_RETENTION_DAYS', DEFAULT_RETENTION.outboxMs),
    inboxMs: days('EVENTS_INBOX_RETENTION_DAYS', DEFAULT_RETENTION.inboxMs),
    deadLetterMs: days('EVENTS_DEAD_LETTER_RETENTION_DAYS', DEFAULT_RETENTION.deadLetterMs),
  };
  if (settings.inboxMs < settings.outboxMs) throw new ConfigError(['EVENTS_INBOX_RETENTION_DAYS must be at least EVENTS_OUTBOX_RETENTION_DAYS']);
  return settings;
}

/** Name of the shared retention job every service runs (also runnable by name through its JobRunner). */
export const EVENT_RETENTION_JOB = 'event-retention';

/**
 * The shared job that keeps the event tables from growing forever: deletes published outbox rows
 * and inbox ids past retention, clears dead letters' raw payloads and deletes replayed dead
 * letters past retention. Hourly; in batches; one replica at a time (the job lock).
 */
export function eventRetentionJob<DB>(retention: RetentionSettings = DEFAULT_RETENTION): JobDefinition<DB> {
  return {
    name: EVENT_RETENTION_JOB,
    description: 'Deletes published outbox rows, inbox ids and replayed dead letters past their retention.',
    everyMs: 60 * 60 * 1000,
    run: ({ db, now }) => purgeEventTables(db, now, retention),
  };
}
