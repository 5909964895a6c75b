import type { DomainEvent, EventHandler } from '@crm/events';
import { type Kysely, type Migration, sql, type Transaction } from 'kysely';
import { dateText, isoDate, startOfDate } from './dates.ts';

/**
 * The business date outside credit (issue 10). Credit owns the institution's business date
 * (setBusinessDate outside production, closeBusinessDay) and announces each change with
 * `BusinessDateChanged`; customers, engagement and loyalty keep the latest one in a one-row table,
 * `business_date_replica`, listed in their migrations like `job_run`. It bounds their jobs: a run
 * may be for any date up to the later of the wall clock's today and this date
 * (`futureAsOfError`), so a demo, a training environment or an acceptance test moves the whole
 * product through months with credit's API alone, without touching the system clock.
 */

export interface BusinessDateReplicaTable {
  /** The institution (credit's `INSTITUTION`, the event's subject): one row today. */
  institution: string;
  business_date: string;
  previous_business_date: string;
  how: 'SET' | 'CLOSED';
  changed_by: string;
  changed_at: Date;
  /**
   * The event's CloudEvents `sequence` (credit's changes of this institution, in commit order):
   * what orders two changes. Null for an event without one; then the event time orders.
   */
  sequence: string | null;
  event_id: string;
}

export interface BusinessDateReplicaTables {
  business_date_replica: BusinessDateReplicaTable;
}

// biome-ignore lint/suspicious/noExplicitAny: accepts every service's Kysely<DB>; narrowed to BusinessDateReplicaTables inside.
type AnyDb = Kysely<any> | Transaction<any>;
const replicaDb = (db: AnyDb) => db as unknown as Kysely<BusinessDateReplicaTables>;

/** The replica's table; customers, engagement and loyalty list it in their migrations. Frozen like every migration. */
export const businessDateReplicaMigration: Migration = {
  // biome-ignore lint/suspicious/noExplicitAny: migrations are written against an untyped database.
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('business_date_replica')
      .addColumn('institution', 'text', (c) => c.primaryKey())
      .addColumn('business_date', 'date', (c) => c.notNull())
      .addColumn('previous_business_date', 'date', (c) => c.notNull())
      .addColumn('how', 'text', (c) => c.notNull().check(sql`how in ('SET', 'CLOSED')`))
      .addColumn('changed_by', 'text', (c) => c.notNull())
      .addColumn('changed_at', 'timestamptz', (c) => c.notNull())
      .addColumn('sequence', 'bigint')
      .addColumn('event_id', 'text', (c) => c.notNull())
      .execute();
  },
  // biome-ignore lint/suspicious/noExplicitAny: migrations are written against an untyped database.
  async down(db: Kysely<any>) {
    await db.schema.dropTable('business_date_replica').execute();
  },
};

/**
 * Keeps a `BusinessDateChanged` unless the replica already holds a later change: by sequence when
 * both have one, else by event time. A redelivered or older event changes nothing, so the date
 * never moves back on a late delivery (it moves back only when credit sets an earlier date).
 * Returns true when the event was kept.
 */
export async function recordBusinessDate(db: AnyDb, event: DomainEvent<'BusinessDateChanged'>): Promise<boolean> {
  const d = event.data;
  const sequence = event.sequence ?? null;
  const changedAt = new Date(event.time);
  const res = await replicaDb(db)
    .insertInto('business_date_replica')
    .values({
      institution: event.subject,
      business_date: d.businessDate,
      previous_business_date: d.previousBusinessDate,
      how: d.how,
      changed_by: d.changedBy,
      changed_at: changedAt,
      sequence,
      event_id: event.id,
    })
    .onConflict((oc) =>
      oc
        .column('institution')
        .doUpdateSet((eb) => ({
          business_date: eb.ref('excluded.business_date'),
          previous_business_date: eb.ref('excluded.previous_business_date'),
          how: eb.ref('excluded.how'),
          changed_by: eb.ref('excluded.changed_by'),
          changed_at: eb.ref('excluded.changed_at'),
          sequence: eb.ref('excluded.sequence'),
          event_id: eb.ref('excluded.event_id'),
        }))
        .where((eb) =>
          eb.or([
            eb.and([
              eb('excluded.sequence', 'is not', null),
              eb('business_date_replica.sequence', 'is not', null),
              eb('excluded.sequence', '>', eb.ref('business_date_replica.sequence')),
            ]),
            eb.and([
              eb.or([eb('excluded.sequence', 'is', null), eb('business_date_replica.sequence', 'is', null)]),
              eb('excluded.changed_at', '>', eb.ref('business_date_replica.changed_at')),
            ]),
          ]),
        ),
    )
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** The handler of `BusinessDateChanged` of the services that keep the replica. */
export function businessDateChangedHandler<DB>(): EventHandler<DB, 'BusinessDateChanged'> {
  return async (tx, event) => {
    await recordBusinessDate(tx, event);
  };
}

/** The business date as credit last announced it (null: no change received yet, the wall clock's date rules). */
export async function findReplicatedBusinessDate(db: AnyDb): Promise<string | null> {
  const row = await replicaDb(db).selectFrom('business_date_replica').select('business_date').orderBy('institution').limit(1).executeTakeFirst();
  return row ? dateText(row.business_date as string | Date) : null;
}

/**
 * The instant a run for `asOf` stands at, for the decisions it takes on time (deadlines passed,
 * due times, contact hours): the wall clock, except on a business date ahead of it (a demo or
 * test environment running ahead), where it is that date at the wall clock's time of day. Record
 * stamps and event times stay on the wall clock.
 */
export function runClock(asOf: string, now: Date): Date {
  const today = isoDate(now);
  if (asOf <= today) return now;
  return new Date(startOfDate(asOf).getTime() + (now.getTime() - startOfDate(today).getTime()));
}
