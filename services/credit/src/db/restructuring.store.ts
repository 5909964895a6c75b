import type { Scope } from '@crm/service-kit';
import { type Insertable, type Kysely, sql } from 'kysely';
import { dateText } from './loan.store.ts';
import type { DB, InstalmentTable, RestructuringRow, RestructuringTable } from './schema.ts';
import { assertLoanInScope, customerInScope } from './scope.ts';

export async function insertRestructuring(db: Kysely<DB>, row: Insertable<RestructuringTable>): Promise<void> {
  await db.insertInto('restructuring').values(row).execute();
}

export async function findRestructuringIdByIdempotencyKey(db: Kysely<DB>, key: string): Promise<string | undefined> {
  return (await db.selectFrom('restructuring').select('id').where('idempotency_key', '=', key).executeTakeFirst())?.id;
}

/** The request, locked; FORBIDDEN (nothing written) when its loan's customer is outside the scope. */
export async function lockRestructuring(tx: Kysely<DB>, scope: Scope, id: string): Promise<RestructuringRow | undefined> {
  const row = await tx
    .selectFrom('restructuring')
    .select([
      'id',
      'loan_id',
      'kind',
      'instalments',
      'new_rate',
      'reason',
      'status',
      'requested_by',
      'requested_at',
      'decided_by',
      'decided_at',
      'from_version',
      'to_version',
      'idempotency_key',
    ])
    .select(dateText('effective_on').as('effective_on'))
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (row) await assertLoanInScope(tx, scope, row.loan_id);
  return row;
}

export async function findRestructurings(
  db: Kysely<DB>,
  scope: Scope,
  by: { loanIds?: readonly string[]; ids?: readonly string[] },
): Promise<RestructuringRow[]> {
  const loanIds = by.loanIds ?? [];
  const ids = by.ids ?? [];
  if (!loanIds.length && !ids.length) return [];
  return db
    .selectFrom('restructuring as x')
    .innerJoin('loan as l', 'l.id', 'x.loan_id')
    .selectAll('x')
    .where((eb) => eb.or([...(loanIds.length ? [eb('x.loan_id', 'in', [...loanIds])] : []), ...(ids.length ? [eb('x.id', 'in', [...ids])] : [])]))
    .where(customerInScope(scope, 'l.customer_id'))
    .orderBy('x.id')
    .execute();
}

export async function decideRestructuringRow(tx: Kysely<DB>, id: string, changes: Partial<Insertable<RestructuringTable>>): Promise<void> {
  await tx.updateTable('restructuring').set(changes).where('id', '=', id).execute();
}

/**
 * Writes a new schedule version; the allocations of the instalments carried over unchanged are
 * copied to it, so end-of-day runs over the new version still see what was paid and when.
 */
export async function writeScheduleVersion(
  tx: Kysely<DB>,
  loanId: string,
  fromVersion: number,
  rows: Insertable<InstalmentTable>[],
  carried: number[],
): Promise<void> {
  await tx.insertInto('instalment').values(rows).execute();
  if (carried.length) {
    await sql`
      insert into repayment_allocation (repayment_id, loan_id, version, number, paid_on, penalty, interest, principal)
      select repayment_id, loan_id, ${fromVersion + 1}, number, paid_on, penalty, interest, principal
      from repayment_allocation where loan_id = ${loanId} and version = ${fromVersion} and number in (${sql.join(carried)})
    `.execute(tx);
  }
}

/** FORBIDDEN when the request exists and its loan's customer is outside the scope. */
export async function assertRestructuringInScope(db: Kysely<DB>, scope: Scope, id: string): Promise<void> {
  if (scope.kind === 'all') return;
  const row = await db.selectFrom('restructuring').select('loan_id').where('id', '=', id).executeTakeFirst();
  if (row) await assertLoanInScope(db, scope, row.loan_id);
}
