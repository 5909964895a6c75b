import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { type EventHandlers, handlerOfType, handleThroughInbox } from './consumer.ts';
import { parseEvent } from './envelope.ts';
import { type AnyDb, eventTables } from './tables.ts';

/**
 * Operations on a service's event tables: the dead letters (list, show, replay), re-publishing
 * outbox rows, the retention purge and the outbox lag. Used by `pnpm events` and the runtime.
 */

/** A dead letter as people see it: personal data masked, never the raw payload. */
export interface DeadLetterView {
  id: string;
  eventId: string;
  type: string;
  topic: string;
  error: string;
  attempts: number;
  deadLetteredAt: Date;
  replayedAt: Date | null;
  /** Whether the raw event is still kept (a replay needs it). */
  replayable: boolean;
}

export interface DeadLetterDetail extends DeadLetterView {
  /** The event with personal data masked. */
  payload: unknown;
}

const viewColumns = ['id', 'event_id', 'type', 'topic', 'error', 'attempts', 'dead_lettered_at', 'replayed_at'] as const;

function toView(row: {
  id: string;
  event_id: string;
  type: string;
  topic: string;
  error: string;
  attempts: number;
  dead_lettered_at: Date;
  replayed_at: Date | null;
  replayable: boolean | null;
}): DeadLetterView {
  return {
    id: String(row.id),
    eventId: row.event_id,
    type: row.type,
    topic: row.topic,
    error: row.error,
    attempts: row.attempts,
    deadLetteredAt: row.dead_lettered_at,
    replayedAt: row.replayed_at,
    replayable: Boolean(row.replayable),
  };
}

/** Dead letters, oldest first; replayed ones only when asked. */
export async function listDeadLetters(db: AnyDb, options: { includeReplayed?: boolean; limit?: number } = {}): Promise<DeadLetterView[]> {
  let query = eventTables(db)
    .selectFrom('event_dead_letter')
    .select([...viewColumns, sql<boolean>`raw_payload is not null`.as('replayable')])
    .orderBy('id')
    .limit(options.limit ?? 100);
  if (!options.includeReplayed) query = query.where('replayed_at', 'is', null);
  return (await query.execute()).map(toView);
}

export async function showDeadLetter(db: AnyDb, id: string): Promise<DeadLetterDetail | undefined> {
  const row = await eventTables(db)
    .selectFrom('event_dead_letter')
    .select([...viewColumns, 'payload', sql<boolean>`raw_payload is not null`.as('replayable')])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  let payload: unknown = row.payload;
  try {
    payload = JSON.parse(row.payload);
  } catch {}
  return { ...toView(row), payload };
}

export type ReplayOutcome =
  /** Re-delivered and handled now. */
  | 'handled'
  /** Its id was already in the inbox (handled since): marked replayed, no second effect. */
  | 'duplicate';

export class ReplayError extends Error {
  readonly id: string;
  constructor(id: string, message: string) {
    super(`dead letter ${id}: ${message}`);
    this.id = id;
    this.name = 'ReplayError';
  }
}

/**
 * Re-delivers a dead-lettered event to this service's handler, through the inbox (idempotent),
 * and marks the row replayed in the same transaction, clearing its raw payload. A handler that
 * fails again rolls everything back: the row stays as it was, with the error thrown.
 */
export async function replayDeadLetter<DB>(db: Kysely<DB>, handlers: EventHandlers<DB>, id: string): Promise<ReplayOutcome> {
  const row = await eventTables(db).selectFrom('event_dead_letter').select(['id', 'raw_payload', 'replayed_at']).where('id', '=', id).executeTakeFirst();
  if (!row) throw new ReplayError(id, 'no such dead letter');
  if (row.replayed_at) throw new ReplayError(id, `already replayed at ${new Date(row.replayed_at).toISOString()}`);
  if (row.raw_payload === null)
    throw new ReplayError(id, 'its raw event is no longer kept (dead-lettered before replay support, or past retention): replay it from the dead-letter topic');
  const { event, known } = parseEvent(row.raw_payload);
  if (!known) throw new ReplayError(id, `event type ${event.type} is still unknown to this service`);
  const handler = handlerOfType(handlers, event.type);
  if (!handler) throw new ReplayError(id, `this service has no handler for ${event.type}`);
  return handleThroughInbox(db, event, handler, async (tx) => {
    await eventTables(tx).updateTable('event_dead_letter').set({ replayed_at: new Date(), raw_payload: null }).where('id', '=', id).execute();
  });
}

/** Replays every dead letter not yet replayed, oldest first; a failure is reported and the rest go on. */
export async function replayAllDeadLetters<DB>(
  db: Kysely<DB>,
  handlers: EventHandlers<DB>,
): Promise<{ id: string; outcome: ReplayOutcome | 'failed'; error?: string }[]> {
  const rows = await eventTables(db)
    .selectFrom('event_dead_letter')
    .select('id')
    .where('replayed_at', 'is', null)
    .where('raw_payload', 'is not', null)
    .orderBy('id')
    .execute();
  const results: { id: string; outcome: ReplayOutcome | 'failed'; error?: string }[] = [];
  for (const { id } of rows) {
    try {
      results.push({ id: String(id), outcome: await replayDeadLetter(db, handlers, String(id)) });
    } catch (error) {
      results.push({ id: String(id), outcome: 'failed', error: error instanceof Error ? error.message : String(error) });
    }
  }
  return results;
}

export interface OutboxRange {
  fromSeq?: string | undefined;
  toSeq?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  /** Only events of this type. */
  type?: string | undefined;
}

/**
 * Marks published outbox rows in a range unpublished: the relay publishes them again, in
 * sequence order, to every consumer of the topic (consumers that still have the ids in their
 * inbox skip them; the one that lost its data handles them). Only rows still kept (retention).
 */
export async function republishOutbox(db: AnyDb, range: OutboxRange): Promise<number> {
  if (!range.fromSeq && !range.toSeq && !range.since && !range.until) throw new Error('give a range: --from-seq/--to-seq or --since/--until');
  let query = eventTables(db).updateTable('event_outbox').set({ published_at: null }).where('published_at', 'is not', null);
  if (range.fromSeq) query = query.where('seq', '>=', range.fromSeq);
  if (range.toSeq) query = query.where('seq', '<=', range.toSeq);
  if (range.since) query = query.where('created_at', '>=', range.since);
  if (range.until) query = query.where('created_at', '<', range.until);
  if (range.type) query = query.where('type', '=', range.type);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export const DAY_MS = 24 * 60 * 60 * 1000;

export interface RetentionSettings {
  /** Published outbox rows older than this are deleted (default 7 days). */
  outboxMs: number;
  /** Inbox ids older than this are deleted (default 30 days); must outlive any redelivery or re-publish. */
  inboxMs: number;
  /** Dead letters: raw payload cleared, replayed rows deleted, after this (default 30 days). */
  deadLetterMs: number;
}

export const DEFAULT_RETENTION: RetentionSettings = { outboxMs: 7 * DAY_MS, inboxMs: 30 * DAY_MS, deadLetterMs: 30 * DAY_MS };

const PURGE_BATCH = 5_000;

/** Deletes in batches, each its own statement, so the purge never holds long locks. */
async function deleteInBatches(run: () => Promise<bigint | number>): Promise<number> {
  let total = 0;
  for (;;) {
    const n = Number(await run());
    total += n;
    if (n < PURGE_BATCH) return total;
  }
}

/** The retention purge: published outbox rows, old inbox ids, old dead letters' raw payloads. */
export async function purgeEventTables(db: AnyDb, now: Date, retention: RetentionSettings = DEFAULT_RETENTION): Promise<Record<string, number>> {
  if (retention.inboxMs < retention.outboxMs)
    throw new Error('inbox retention must be at least the outbox retention (a re-published row would be handled twice)');
  const t = eventTables(db);
  const outboxCutoff = new Date(now.getTime() - retention.outboxMs);
  const inboxCutoff = new Date(now.getTime() - retention.inboxMs);
  const deadCutoff = new Date(now.getTime() - retention.deadLetterMs);
  const outbox = await deleteInBatches(
    async () =>
      (
        await t
          .deleteFrom('event_outbox')
          .where('seq', 'in', (q) => q.selectFrom('event_outbox').select('seq').where('published_at', '<', outboxCutoff).orderBy('seq').limit(PURGE_BATCH))
          .executeTakeFirst()
      ).numDeletedRows,
  );
  const inbox = await deleteInBatches(
    async () =>
      (
        await t
          .deleteFrom('event_inbox')
          .where('event_id', 'in', (q) => q.selectFrom('event_inbox').select('event_id').where('handled_at', '<', inboxCutoff).limit(PURGE_BATCH))
          .executeTakeFirst()
      ).numDeletedRows,
  );
  const rawCleared = Number(
    (
      await t
        .updateTable('event_dead_letter')
        .set({ raw_payload: null })
        .where('dead_lettered_at', '<', deadCutoff)
        .where('raw_payload', 'is not', null)
        .executeTakeFirst()
    ).numUpdatedRows,
  );
  const deadLetters = Number(
    (await t.deleteFrom('event_dead_letter').where('replayed_at', 'is not', null).where('replayed_at', '<', deadCutoff).executeTakeFirst()).numDeletedRows,
  );
  return { outbox, inbox, deadLetterPayloads: rawCleared, deadLetters };
}

/** Age in seconds of the oldest unpublished outbox row (0 when none waits). */
export async function outboxLagSeconds(db: AnyDb, now = new Date()): Promise<number> {
  const row = await eventTables(db)
    .selectFrom('event_outbox')
    .select((eb) => eb.fn.min('created_at').as('oldest'))
    .where('published_at', 'is', null)
    .executeTakeFirst();
  const oldest = row?.oldest;
  if (!oldest) return 0;
  return Math.max(0, (now.getTime() - new Date(oldest as Date | string).getTime()) / 1000);
}
