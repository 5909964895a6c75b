import type { PageWindow } from '@crm/service-kit';
import { decodeCursor } from '@crm/service-kit';
import type { Kysely } from 'kysely';
import type { DB, NewTask, TaskRow, TaskStatus } from './schema.ts';

/**
 * Inserts a task unless the same event already created one of this type: returns false then.
 * (The inbox already stops redelivered events; this guards the rule itself.)
 */
export async function insertTaskOnce(db: Kysely<DB>, row: NewTask): Promise<boolean> {
  const inserted = await db
    .insertInto('task')
    .values(row)
    .onConflict((oc) => oc.columns(['source_event_id', 'type']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function findTasksByIds(db: Kysely<DB>, ids: readonly string[]): Promise<TaskRow[]> {
  if (!ids.length) return [];
  return db
    .selectFrom('task')
    .selectAll()
    .where('id', 'in', [...ids])
    .execute();
}

/** Newest tasks of each customer, `limit` per customer, optionally by status, in one query. */
export async function findTasksOfCustomers(
  db: Kysely<DB>,
  customerIds: readonly string[],
  window: PageWindow & { status: TaskStatus[] | null },
): Promise<TaskRow[]> {
  const afterId = window.after ? String(decodeCursor(window.after, 1)[0]) : null;
  const ranked = db
    .selectFrom('task')
    .selectAll()
    .select((eb) =>
      eb.fn
        .agg<string>('row_number')
        .over((ob) => ob.partitionBy('customer_id').orderBy('id', 'desc'))
        .as('rn'),
    )
    .where('customer_id', 'in', [...customerIds])
    .$if(afterId !== null, (q) => q.where('id', '<', afterId ?? ''))
    .$if(!!window.status?.length, (q) => q.where('status', 'in', window.status ?? []));
  const rows = await db.selectFrom(ranked.as('r')).selectAll().where('rn', '<=', String(window.limit)).orderBy('customer_id').orderBy('id', 'desc').execute();
  return rows.map(({ rn: _rn, ...row }) => row);
}
