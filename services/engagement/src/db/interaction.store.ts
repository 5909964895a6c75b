import type { PageWindow } from '@crm/service-kit';
import { decodeCursor } from '@crm/service-kit';
import type { Kysely } from 'kysely';
import type { DB, InteractionRow, NewInteraction } from './schema.ts';

export async function insertInteraction(db: Kysely<DB>, row: NewInteraction): Promise<void> {
  await db.insertInto('interaction').values(row).execute();
}

export async function findInteractionsByIds(db: Kysely<DB>, ids: readonly string[]): Promise<InteractionRow[]> {
  if (!ids.length) return [];
  return db
    .selectFrom('interaction')
    .selectAll()
    .where('id', 'in', [...ids])
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
export async function findInteractionsOfCustomers(db: Kysely<DB>, customerIds: readonly string[], window: PageWindow): Promise<InteractionRow[]> {
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
