import type { PageWindow, Scope } from '@crm/service-kit';
import { decodeCursor } from '@crm/service-kit';
import type { Kysely } from 'kysely';
import type { DB, InteractionChannel, InteractionPurpose, InteractionRow, NewInteraction } from './schema.ts';
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

/** Keyset of an interaction in the per-customer order (most recent first). */
export const interactionCursor = (row: InteractionRow) => [row.occurred_at.toISOString(), row.id];

/**
 * The most recent interactions of each customer, `limit` per customer, after a cursor, in one
 * query (a window function per customer).
 */
export async function findInteractionsOfCustomers(db: Kysely<DB>, scope: Scope, customerIds: readonly string[], window: PageWindow): Promise<InteractionRow[]> {
  const after = window.after ? decodeCursor(window.after, 2).map(String) : null;
  const ranked = db
    .selectFrom('interaction')
    .selectAll()
    .select((eb) =>
      eb.fn
        .agg<string>('row_number')
        .over((ob) => ob.partitionBy('customer_id').orderBy('occurred_at', 'desc').orderBy('id', 'desc'))
        .as('rn'),
    )
    .where('customer_id', 'in', [...customerIds])
    .where(customerInScope(scope, 'interaction.customer_id'))
    .$if(after !== null, (q) =>
      q.where((eb) =>
        eb.or([
          eb('occurred_at', '<', new Date(after?.[0] ?? '')),
          eb.and([eb('occurred_at', '=', new Date(after?.[0] ?? '')), eb('id', '<', after?.[1] ?? '')]),
        ]),
      ),
    );
  const rows = await db
    .selectFrom(ranked.as('r'))
    .selectAll()
    .where('rn', '<=', String(window.limit))
    .orderBy('customer_id')
    .orderBy('occurred_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(({ rn: _rn, ...row }) => row);
}

export interface InteractionQuery {
  customerId?: string | null;
  staffId?: string | null;
  channel?: readonly InteractionChannel[] | null;
  purpose?: readonly InteractionPurpose[] | null;
  from?: Date | null;
  to?: Date | null;
}

/** Interactions matching a filter, most recent first (keyset on occurred_at, id). */
export async function findInteractions(db: Kysely<DB>, scope: Scope, filter: InteractionQuery, window: PageWindow): Promise<InteractionRow[]> {
  const after = window.after ? decodeCursor(window.after, 2).map(String) : null;
  return db
    .selectFrom('interaction')
    .selectAll()
    .where(customerInScope(scope, 'interaction.customer_id'))
    .$if(!!filter.customerId, (q) => q.where('customer_id', '=', filter.customerId ?? ''))
    .$if(!!filter.staffId, (q) => q.where('staff_id', '=', filter.staffId ?? ''))
    .$if(!!filter.channel?.length, (q) => q.where('channel', 'in', [...(filter.channel ?? [])]))
    .$if(!!filter.purpose?.length, (q) => q.where('purpose', 'in', [...(filter.purpose ?? [])]))
    .$if(!!filter.from, (q) => q.where('occurred_at', '>=', filter.from ?? new Date(0)))
    .$if(!!filter.to, (q) => q.where('occurred_at', '<', filter.to ?? new Date(0)))
    .$if(after !== null, (q) => q.where((eb) => eb(eb.refTuple('occurred_at', 'id'), '<', eb.tuple(new Date(after?.[0] ?? ''), after?.[1] ?? ''))))
    .orderBy('occurred_at', 'desc')
    .orderBy('id', 'desc')
    .limit(window.limit)
    .execute();
}

/** An interaction of a customer, for linking it to the task it completed. */
export async function findInteractionOfCustomer(db: Kysely<DB>, id: string, customerId: string): Promise<InteractionRow | undefined> {
  return db.selectFrom('interaction').selectAll().where('id', '=', id).where('customer_id', '=', customerId).executeTakeFirst();
}
