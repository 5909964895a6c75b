import type { ChangePosition, PageWindow, Parented, Scope, SortKey } from '@crm/service-kit';
import { changeColumns, changeFeedFilter, changeOrder, countsOf, decodeCursor, windowPages } from '@crm/service-kit';
import type { Expression, ExpressionBuilder, Kysely, SqlBool } from 'kysely';
import { customerInBranch, type ListPage } from './filters.ts';
import type { DB, InteractionChannel, InteractionPurpose, InteractionRow, NewInteraction, Stamped } from './schema.ts';
import { customerInScope } from './scope.ts';

export async function insertInteraction(db: Kysely<DB>, row: NewInteraction): Promise<void> {
  await db.insertInto('interaction').values(row).execute();
}

/** Interactions by id, only those whose customer is in scope. */
export async function findInteractionsByIds(db: Kysely<DB>, scope: Scope, ids: readonly string[]): Promise<InteractionRow[]> {
  if (!ids.length) return [];
  return db
    .selectFrom('interaction')
    .selectAll()
    .where('id', 'in', [...ids])
    .where(customerInScope(scope, 'interaction.customer_id'))
    .execute();
}

export async function findInteractionIdByIdempotencyKey(db: Kysely<DB>, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('interaction').select('id').where('idempotency_key', '=', key).executeTakeFirst();
  return row?.id;
}

/** Keyset of an interaction in the top-level `interactions` list (most recent first). */
export const interactionCursor = (row: InteractionRow) => [row.occurred_at.toISOString(), row.id];

/** The interactions of many customers (in scope), with the customer as `_parent`: what their connection pages and counts. */
const interactionsOfCustomers = (db: Kysely<DB>, scope: Scope, customerIds: readonly string[]) =>
  db
    .selectFrom('interaction')
    .selectAll()
    .select('customer_id as _parent')
    .where('customer_id', 'in', [...customerIds])
    .where(customerInScope(scope, 'interaction.customer_id'));

/** Per-customer order: most recent first, ties on the instant broken by id. */
const INTERACTION_ORDER: readonly SortKey[] = [
  { ref: 'occurred_at', type: 'timestamptz' },
  { ref: 'id', type: 'text' },
];

/** `Customer.interactions`: one page per customer after a cursor, in one statement (a window function). */
export async function findInteractionsOfCustomers(
  db: Kysely<DB>,
  scope: Scope,
  customerIds: readonly string[],
  window: PageWindow,
): Promise<Parented<InteractionRow>[]> {
  if (!customerIds.length) return [];
  return windowPages<InteractionRow>(db, interactionsOfCustomers(db, scope, customerIds), INTERACTION_ORDER, 'desc', window);
}

export interface InteractionQuery {
  customerId?: string | null;
  branchId?: string | null;
  staffId?: string | null;
  channel?: readonly InteractionChannel[] | null;
  purpose?: readonly InteractionPurpose[] | null;
  from?: Date | null;
  to?: Date | null;
}

function matches(scope: Scope, filter: InteractionQuery) {
  return (eb: ExpressionBuilder<DB, 'interaction'>) => {
    const conditions: Expression<SqlBool>[] = [customerInScope(scope, 'interaction.customer_id')];
    if (filter.customerId) conditions.push(eb('interaction.customer_id', '=', filter.customerId));
    if (filter.branchId) conditions.push(customerInBranch('interaction.customer_id', filter.branchId));
    if (filter.staffId) conditions.push(eb('interaction.staff_id', '=', filter.staffId));
    if (filter.channel?.length) conditions.push(eb('interaction.channel', 'in', [...filter.channel]));
    if (filter.purpose?.length) conditions.push(eb('interaction.purpose', 'in', [...filter.purpose]));
    if (filter.from) conditions.push(eb('interaction.occurred_at', '>=', filter.from));
    if (filter.to) conditions.push(eb('interaction.occurred_at', '<', filter.to));
    return eb.and(conditions);
  };
}

/**
 * Interactions matching a filter: most recent first (keyset on occurred_at, id), or with `since`
 * (a `changedSince` pull) in change-feed order after that position.
 */
export async function findInteractions(db: Kysely<DB>, scope: Scope, filter: InteractionQuery, page: ListPage): Promise<Stamped<InteractionRow>[]> {
  const base = db.selectFrom('interaction').selectAll('interaction').where(matches(scope, filter));
  if (page.since !== undefined) {
    return base
      .select(changeColumns('interaction'))
      .where(changeFeedFilter('interaction', page.since))
      .orderBy(changeOrder('interaction'))
      .limit(page.limit)
      .execute();
  }
  const after = page.after ? decodeCursor(page.after, 2).map(String) : null;
  return base
    .$if(after !== null, (q) => q.where((eb) => eb(eb.refTuple('occurred_at', 'id'), '<', eb.tuple(new Date(after?.[0] ?? ''), after?.[1] ?? ''))))
    .orderBy('occurred_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit)
    .execute();
}

/** How many interactions match (in a `changedSince` pull: changed after `since`). */
export async function countInteractions(db: Kysely<DB>, scope: Scope, filter: InteractionQuery, since: ChangePosition | null | undefined): Promise<number> {
  const row = await db
    .selectFrom('interaction')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where(matches(scope, filter))
    .$if(since !== undefined, (q) => q.where(changeFeedFilter('interaction', since ?? null)))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Interactions per customer (`Customer.interactions` totalCount), one grouped statement. */
export async function countInteractionsOfCustomers(db: Kysely<DB>, scope: Scope, customerIds: readonly string[]): Promise<Map<string, number>> {
  if (!customerIds.length) return new Map();
  return countsOf(db, interactionsOfCustomers(db, scope, customerIds));
}

/** An interaction of a customer, for linking it to the task it completed. */
export async function findInteractionOfCustomer(db: Kysely<DB>, id: string, customerId: string): Promise<InteractionRow | undefined> {
  return db.selectFrom('interaction').selectAll().where('id', '=', id).where('customer_id', '=', customerId).executeTakeFirst();
}
