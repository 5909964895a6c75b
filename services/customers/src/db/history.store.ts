import type { Scope } from '@crm/service-kit';
import { decodeCursor, type PageWindow } from '@crm/service-kit';
import type { Kysely } from 'kysely';
import { customerIdsInScope } from './customer.store.ts';
import type { CustomerChangeRow, DB, ManagerAssignmentRow } from './schema.ts';

export type NewChange = Omit<CustomerChangeRow, 'changed_at'> & { changed_at: Date };

export async function insertChanges(db: Kysely<DB>, rows: NewChange[]): Promise<void> {
  if (!rows.length) return;
  await db.insertInto('customer_change').values(rows).execute();
}

/** Keyset of a change in the per-customer order (newest first). */
export const changeCursor = (row: CustomerChangeRow) => [new Date(row.changed_at).toISOString(), row.id];

/** The newest changes of each customer, `limit` per customer after a cursor, in one query. */
export async function findChangesOfCustomers(db: Kysely<DB>, scope: Scope, customerIds: readonly string[], window: PageWindow): Promise<CustomerChangeRow[]> {
  if (!customerIds.length) return [];
  const after = window.after ? decodeCursor(window.after, 2).map(String) : null;
  const ranked = db
    .selectFrom('customer_change')
    .selectAll()
    .select((eb) =>
      eb.fn
        .agg<string>('row_number')
        .over((ob) => ob.partitionBy('customer_id').orderBy('changed_at', 'desc').orderBy('id', 'desc'))
        .as('rn'),
    )
    .where('customer_id', 'in', [...customerIds])
    .$if(scope.kind !== 'all', (q) => q.where('customer_id', 'in', customerIdsInScope(db, scope)))
    .$if(after !== null, (q) =>
      q.where((eb) =>
        eb.or([
          eb('changed_at', '<', new Date(after?.[0] ?? '')),
          eb.and([eb('changed_at', '=', new Date(after?.[0] ?? '')), eb('id', '<', after?.[1] ?? '')]),
        ]),
      ),
    );
  const rows = await db
    .selectFrom(ranked.as('r'))
    .selectAll()
    .where('rn', '<=', String(window.limit))
    .orderBy('customer_id')
    .orderBy('changed_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(({ rn: _rn, ...row }) => row);
}

export async function insertAssignment(db: Kysely<DB>, row: Omit<ManagerAssignmentRow, 'assigned_at'> & { assigned_at: Date }): Promise<void> {
  await db.insertInto('manager_assignment').values(row).execute();
}

/** Manager assignments of many customers, newest first, in one query. */
export async function findAssignmentsOfCustomers(db: Kysely<DB>, scope: Scope, customerIds: readonly string[]): Promise<ManagerAssignmentRow[]> {
  if (!customerIds.length) return [];
  return db
    .selectFrom('manager_assignment')
    .selectAll()
    .where('customer_id', 'in', [...customerIds])
    .$if(scope.kind !== 'all', (q) => q.where('customer_id', 'in', customerIdsInScope(db, scope)))
    .orderBy('customer_id')
    .orderBy('assigned_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}
