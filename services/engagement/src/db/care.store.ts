import type { PageWindow, Parented, Scope, SortKey } from '@crm/service-kit';
import { decodeCursor, windowPages } from '@crm/service-kit';
import { type Insertable, type Kysely, type OnConflictBuilder, sql } from 'kysely';
import type { CareEventInvitationRow, CareEventRow, CareEventTable, CareGreetingRow, CareHolidayTable, DB, GreetingKind, GreetingStatus } from './schema.ts';
import { assertBranchInScope, assertCustomerInScope, branchInScope, customerInScope } from './scope.ts';

/** A withdrawn consent stops greetings not yet sent. */
export async function cancelPendingGreetings(db: Kysely<DB>, customerId: string): Promise<number> {
  const rows = await db
    .updateTable('care_greeting')
    .set({ status: 'CANCELLED' })
    .where('customer_id', '=', customerId)
    .where('status', '=', 'PENDING')
    .returning('id')
    .execute();
  return rows.length;
}

/**
 * The greetings of a date, set-wise and repeatable: birthdays (by MM-DD) and holidays of the date
 * for every customer who consents to care contact; a greeting cancelled earlier comes back if
 * consent was granted again; pending greetings of customers who no longer consent are cancelled.
 */
export async function generateGreetings(
  db: Kysely<DB>,
  input: { date: string; birthdayKeys: string[]; consentPurpose: string; at: Date },
): Promise<{ birthdays: number; holidays: number; cancelled: number }> {
  const consenting = (customerIdRef: string) =>
    sql<boolean>`exists (select 1 from consent_replica cr where cr.customer_id = ${sql.ref(customerIdRef)} and cr.purpose = ${input.consentPurpose} and cr.granted)`;
  const revive = (oc: OnConflictBuilder<DB, 'care_greeting'>) =>
    oc.columns(['customer_id', 'kind', 'occasion_on', 'holiday_code']).doUpdateSet({ status: 'PENDING' }).where('care_greeting.status', '=', 'CANCELLED');
  const birthdays = await db
    .insertInto('care_greeting')
    .columns(['id', 'customer_id', 'kind', 'occasion_on', 'holiday_code', 'assignee_id', 'status', 'created_at'])
    .expression(
      db
        .selectFrom('customer_replica as c')
        .select([
          sql<string>`gen_random_uuid()::text`.as('id'),
          'c.id as customer_id',
          sql<GreetingKind>`'BIRTHDAY'`.as('kind'),
          sql<string>`${input.date}::date`.as('occasion_on'),
          sql<string>`''`.as('holiday_code'),
          'c.relationship_manager_id as assignee_id',
          sql<GreetingStatus>`'PENDING'`.as('status'),
          sql<Date>`${input.at}::timestamptz`.as('created_at'),
        ])
        .where(sql<string>`to_char(c.birth_date, 'MM-DD')`, 'in', input.birthdayKeys)
        .where(consenting('c.id')),
    )
    .onConflict(revive)
    .returning('id')
    .execute();
  const holidays = await db
    .insertInto('care_greeting')
    .columns(['id', 'customer_id', 'kind', 'occasion_on', 'holiday_code', 'assignee_id', 'status', 'created_at'])
    .expression(
      db
        .selectFrom('customer_replica as c')
        .innerJoin('care_holiday as h', (j) => j.on('h.on_date', '=', input.date))
        .select([
          sql<string>`gen_random_uuid()::text`.as('id'),
          'c.id as customer_id',
          sql<GreetingKind>`'HOLIDAY'`.as('kind'),
          'h.on_date as occasion_on',
          'h.code as holiday_code',
          'c.relationship_manager_id as assignee_id',
          sql<GreetingStatus>`'PENDING'`.as('status'),
          sql<Date>`${input.at}::timestamptz`.as('created_at'),
        ])
        .where(consenting('c.id')),
    )
    .onConflict(revive)
    .returning('id')
    .execute();
  const cancelled = await db
    .updateTable('care_greeting')
    .set({ status: 'CANCELLED' })
    .where('occasion_on', '=', input.date)
    .where('status', '=', 'PENDING')
    .where((eb) => eb.not(consenting('care_greeting.customer_id')))
    .returning('id')
    .execute();
  return { birthdays: birthdays.length, holidays: holidays.length, cancelled: cancelled.length };
}

export interface GreetingQuery {
  customerId?: string | null;
  occasionOn?: string | null;
  kind?: GreetingKind | null;
  status?: readonly GreetingStatus[] | null;
}

/** Greetings, latest occasion first (keyset on occasion date and id). */
export async function findGreetings(db: Kysely<DB>, scope: Scope, filter: GreetingQuery, window: PageWindow): Promise<CareGreetingRow[]> {
  const after = window.after ? decodeCursor(window.after, 2).map(String) : null;
  return db
    .selectFrom('care_greeting')
    .selectAll()
    .where(customerInScope(scope, 'care_greeting.customer_id'))
    .$if(!!filter.customerId, (q) => q.where('customer_id', '=', filter.customerId ?? ''))
    .$if(!!filter.occasionOn, (q) => q.where('occasion_on', '=', filter.occasionOn ?? ''))
    .$if(!!filter.kind, (q) => q.where('kind', '=', filter.kind ?? 'BIRTHDAY'))
    .$if(!!filter.status?.length, (q) => q.where('status', 'in', [...(filter.status ?? [])]))
    .$if(after !== null, (q) => q.where((eb) => eb(eb.refTuple('occasion_on', 'id'), '<', eb.tuple(after?.[0] ?? '', after?.[1] ?? ''))))
    .orderBy('occasion_on', 'desc')
    .orderBy('id', 'desc')
    .limit(window.limit)
    .execute();
}

export async function upsertHoliday(db: Kysely<DB>, row: Insertable<CareHolidayTable>): Promise<void> {
  await db
    .insertInto('care_holiday')
    .values(row)
    .onConflict((oc) => oc.columns(['on_date', 'code']).doUpdateSet({ name: row.name }))
    .execute();
}

export async function insertCareEvent(db: Kysely<DB>, row: Insertable<CareEventTable>): Promise<void> {
  await db.insertInto('care_event').values(row).execute();
}

export async function findCareEventIdByIdempotencyKey(db: Kysely<DB>, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('care_event').select('id').where('idempotency_key', '=', key).executeTakeFirst();
  return row?.id;
}

/** One event by id: undefined when unknown, FORBIDDEN when it belongs to a branch outside the scope. */
export async function findCareEvent(db: Kysely<DB>, scope: Scope, id: string): Promise<CareEventRow | undefined> {
  const event = await db.selectFrom('care_event').selectAll().where('id', '=', id).executeTakeFirst();
  if (event) assertBranchInScope(scope, event.branch_id, 'event');
  return event;
}

/** Events soonest first (keyset on start and id): those of the caller's branches and those of no branch. */
export async function findCareEvents(db: Kysely<DB>, scope: Scope, window: PageWindow): Promise<CareEventRow[]> {
  const after = window.after ? decodeCursor(window.after, 2).map(String) : null;
  return db
    .selectFrom('care_event')
    .selectAll()
    .where(branchInScope(scope, 'care_event.branch_id'))
    .$if(after !== null, (q) => q.where((eb) => eb(eb.refTuple('starts_at', 'id'), '>', eb.tuple(new Date(after?.[0] ?? ''), after?.[1] ?? ''))))
    .orderBy('starts_at')
    .orderBy('id')
    .limit(window.limit)
    .execute();
}

/** Per-event order of invitations: the order sent, ties on the instant broken by customer id (one invitation per customer). */
const INVITATION_ORDER: readonly SortKey[] = [
  { ref: 'invited_at', type: 'timestamptz' },
  { ref: 'customer_id', type: 'text' },
];

/** `CareEvent.invitations`: the invitations of customers in scope, one page per event after a cursor, in one statement. */
export async function findInvitationsOfEvents(
  db: Kysely<DB>,
  scope: Scope,
  eventIds: readonly string[],
  window: PageWindow,
): Promise<Parented<CareEventInvitationRow>[]> {
  if (!eventIds.length) return [];
  const inner = db
    .selectFrom('care_event_invitation')
    .selectAll()
    .select('event_id as _parent')
    .where('event_id', 'in', [...eventIds])
    .where(customerInScope(scope, 'care_event_invitation.customer_id'));
  return windowPages<CareEventInvitationRow>(db, inner, INVITATION_ORDER, 'asc', window);
}

/** Every customer invited to an event, of those in scope (commands: capacity, attendance). */
export async function findInvitedCustomerIds(db: Kysely<DB>, scope: Scope, eventId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('care_event_invitation')
    .select('customer_id')
    .where('event_id', '=', eventId)
    .where(customerInScope(scope, 'care_event_invitation.customer_id'))
    .execute();
  return new Set(rows.map((r) => r.customer_id));
}

/** Invited and attended counts per event, customers in scope only, one grouped statement. */
export async function countInvitationsOfEvents(
  db: Kysely<DB>,
  scope: Scope,
  eventIds: readonly string[],
): Promise<{ event_id: string; invited: number; attended: number }[]> {
  if (!eventIds.length) return [];
  const rows = await db
    .selectFrom('care_event_invitation')
    .select((eb) => ['event_id', eb.fn.countAll<string>().as('invited'), sql<string>`count(*) filter (where status = 'ATTENDED')`.as('attended')])
    .where('event_id', 'in', [...eventIds])
    .where(customerInScope(scope, 'care_event_invitation.customer_id'))
    .groupBy('event_id')
    .execute();
  return rows.map((r) => ({ event_id: r.event_id, invited: Number(r.invited), attended: Number(r.attended) }));
}

/** Invites customers (already invited ones are left as they are). */
export async function insertInvitations(db: Kysely<DB>, eventId: string, customerIds: readonly string[], at: Date): Promise<void> {
  if (!customerIds.length) return;
  await db
    .insertInto('care_event_invitation')
    .values(customerIds.map((customer_id) => ({ event_id: eventId, customer_id, status: 'INVITED' as const, invited_at: at, attended_at: null })))
    .onConflict((oc) => oc.columns(['event_id', 'customer_id']).doNothing())
    .execute();
}

/**
 * Attendance, set-wise, within the caller's scope: the listed guests attended, every other invited
 * guest in scope did not come; invitations of customers outside the scope are not touched.
 */
export async function recordAttendance(
  db: Kysely<DB>,
  scope: Scope,
  eventId: string,
  attended: readonly string[],
  at: Date,
): Promise<{ attended: number; noShow: number }> {
  const present = attended.length
    ? await db
        .updateTable('care_event_invitation')
        .set({ status: 'ATTENDED', attended_at: at })
        .where('event_id', '=', eventId)
        .where('customer_id', 'in', [...attended])
        .where(customerInScope(scope, 'care_event_invitation.customer_id'))
        .returning('customer_id')
        .execute()
    : [];
  const absent = await db
    .updateTable('care_event_invitation')
    .set({ status: 'NO_SHOW', attended_at: null })
    .where('event_id', '=', eventId)
    .where(customerInScope(scope, 'care_event_invitation.customer_id'))
    .$if(attended.length > 0, (q) => q.where('customer_id', 'not in', [...attended]))
    .returning('customer_id')
    .execute();
  return { attended: present.length, noShow: absent.length };
}

/** One greeting by id: undefined when unknown, FORBIDDEN when its customer is outside the scope. */
export async function findGreeting(db: Kysely<DB>, scope: Scope, id: string): Promise<CareGreetingRow | undefined> {
  const greeting = await db.selectFrom('care_greeting').selectAll().where('id', '=', id).executeTakeFirst();
  if (greeting) await assertCustomerInScope(db, scope, greeting.customer_id, 'greeting');
  return greeting;
}

/** Pending -> sent; undefined when the greeting was no longer pending. */
export async function markGreetingSent(db: Kysely<DB>, id: string): Promise<CareGreetingRow | undefined> {
  return db.updateTable('care_greeting').set({ status: 'SENT' }).where('id', '=', id).where('status', '=', 'PENDING').returningAll().executeTakeFirst();
}
