import type { ColumnType, Generated, Kysely, Migration } from 'kysely';
import { sql } from 'kysely';

/** Rows of the outbox: events written in the same transaction as the change that caused them. */
export interface EventOutboxTable {
  seq: Generated<string>;
  id: string;
  topic: string;
  key: string;
  type: string;
  event: ColumnType<unknown, string, string>;
  created_at: Generated<Date>;
  published_at: Date | null;
}

/** Ids of the events this service has handled: a redelivered event finds its id here. */
export interface EventInboxTable {
  event_id: string;
  type: string;
  source: string;
  handled_at: Generated<Date>;
}

/** Events that kept failing and went to the dead-letter topic, kept for inspection and replay. */
export interface EventDeadLetterTable {
  /** Row id (the CLI's `<id>`); added by eventOperationsMigration. */
  id: Generated<string>;
  event_id: string;
  type: string;
  topic: string;
  payload: string;
  error: string;
  attempts: number;
  dead_lettered_at: Generated<Date>;
  /**
   * The event exactly as received, personal data in clear: read only by the replay tool (never by
   * an API, a log or `dlq show`), cleared once the event is replayed and by the retention purge.
   */
  raw_payload: string | null;
  /** When the event was re-delivered to this service's handler (`pnpm events dlq replay`). */
  replayed_at: Date | null;
}

/**
 * The last sequence number given per topic and key (the event's `subject`): the aggregate
 * sequence of the CloudEvents `sequence` attribute, upserted in the transaction that writes the
 * outbox rows, so committed sequences have no gaps and follow commit order per key.
 */
export interface EventSequenceTable {
  topic: string;
  key: string;
  seq: ColumnType<string, string | number, string | number>;
}

export interface EventTables {
  event_sequence: EventSequenceTable;
  event_outbox: EventOutboxTable;
  event_inbox: EventInboxTable;
  event_dead_letter: EventDeadLetterTable;
}

/** Any service database or transaction: each service's DB interface includes EventTables. */
// biome-ignore lint/suspicious/noExplicitAny: accepts every service's Kysely<DB>; narrowed to EventTables inside.
export type AnyDb = Kysely<any>;

/**
 * Dead-letter replay and retention: a row id, the raw payload and the replay time on dead
 * letters; indexes for the purge of published outbox rows and old inbox ids. Idempotent (it may
 * run both from a service's own migration list and from the runtime's event migrations).
 */
export const eventOperationsMigration: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations are written against an untyped database.
  async up(db: Kysely<any>) {
    await sql`alter table event_dead_letter add column if not exists id bigint generated always as identity`.execute(db);
    await sql`alter table event_dead_letter add column if not exists raw_payload text`.execute(db);
    await sql`alter table event_dead_letter add column if not exists replayed_at timestamptz`.execute(db);
    await sql`create unique index if not exists event_dead_letter_id_idx on event_dead_letter (id)`.execute(db);
    await sql`create index if not exists event_outbox_published_idx on event_outbox (published_at) where published_at is not null`.execute(db);
    await sql`create index if not exists event_inbox_handled_idx on event_inbox (handled_at)`.execute(db);
  },
  // biome-ignore lint/suspicious/noExplicitAny: migrations are written against an untyped database.
  async down(db: Kysely<any>) {
    await sql`drop index if exists event_inbox_handled_idx`.execute(db);
    await sql`drop index if exists event_outbox_published_idx`.execute(db);
    await sql`alter table event_dead_letter drop column if exists replayed_at, drop column if exists raw_payload, drop column if exists id`.execute(db);
  },
};

/**
 * The event infrastructure's migrations after the first, in order. The runtime applies them to
 * every service database with their own bookkeeping table (`kysely_migration_events`), so the
 * services' migration lists (frozen, ordered by name) need no change; tests that build the event
 * tables by hand add them after `eventTablesMigration`.
 */
export const eventOperationsMigrations: Record<string, Migration> = {
  '0001_event_operations': eventOperationsMigration,
  '0002_event_sequence': {
    // biome-ignore lint/suspicious/noExplicitAny: migrations are written against an untyped database.
    async up(db: Kysely<any>) {
      await sql`create table if not exists event_sequence (topic text not null, key text not null, seq bigint not null, primary key (topic, key))`.execute(db);
    },
    // biome-ignore lint/suspicious/noExplicitAny: migrations are written against an untyped database.
    async down(db: Kysely<any>) {
      await sql`drop table if exists event_sequence`.execute(db);
    },
  },
  '0003_outbox_notify': {
    // A statement that adds outbox rows notifies the schema's channel (see outboxChannel); the
    // notification is delivered at commit (never for a rollback), and the relay drains on it.
    // biome-ignore lint/suspicious/noExplicitAny: migrations are written against an untyped database.
    async up(db: Kysely<any>) {
      await sql`
        create or replace function event_outbox_notify() returns trigger language plpgsql as $$
        begin
          perform pg_notify(left('crm_outbox_' || tg_table_schema, 63), '');
          return null;
        end $$`.execute(db);
      await sql`drop trigger if exists event_outbox_notify on event_outbox`.execute(db);
      await sql`create trigger event_outbox_notify after insert on event_outbox for each statement execute function event_outbox_notify()`.execute(db);
    },
    // biome-ignore lint/suspicious/noExplicitAny: migrations are written against an untyped database.
    async down(db: Kysely<any>) {
      await sql`drop trigger if exists event_outbox_notify on event_outbox`.execute(db);
      await sql`drop function if exists event_outbox_notify()`.execute(db);
    },
  },
};

/** The channel commits of outbox rows are notified on, for the event tables in `schema` (default public). */
export function outboxChannel(schema = 'public'): string {
  return `crm_outbox_${schema}`.slice(0, 63);
}

/** The event tables of a service database, typed. */
export function eventTables(db: AnyDb): Kysely<EventTables> {
  return db;
}

/**
 * The outbox, inbox and dead-letter tables. Every service lists this migration first in its
 * own migration set; like every migration it is frozen: change it only by adding another.
 */
export const eventTablesMigration: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations are written against an untyped database.
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('event_outbox')
      .addColumn('seq', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('topic', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('event', 'jsonb', (c) => c.notNull())
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn('published_at', 'timestamptz')
      .execute();
    await db.schema.createIndex('event_outbox_pending_idx').on('event_outbox').column('seq').where(sql.ref('published_at'), 'is', null).execute();
    await db.schema
      .createTable('event_inbox')
      .addColumn('event_id', 'text', (c) => c.primaryKey())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('handled_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .execute();
    await db.schema
      .createTable('event_dead_letter')
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('topic', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('error', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('dead_lettered_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .execute();
  },
  // biome-ignore lint/suspicious/noExplicitAny: migrations are written against an untyped database.
  async down(db: Kysely<any>) {
    await db.schema.dropTable('event_dead_letter').execute();
    await db.schema.dropTable('event_inbox').execute();
    await db.schema.dropTable('event_outbox').execute();
  },
};
