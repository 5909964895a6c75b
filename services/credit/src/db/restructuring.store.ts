import type { PageWindow, Scope } from '@crm/service-kit';
import { countsOf, type Listed, type ListPage, pageQuery, type SortKey, windowPages } from '@crm/service-kit';
import { type Insertable, type Kysely, sql } from 'kysely';
import { dateText, type LoanAttributeFilter, loanAttributes } from './loan.store.ts';
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
      'crisis_measure_id',
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
      insert into repayment_allocation (repayment_id, loan_id, version, number, paid_on, penalty, interest, principal, fee)
      select repayment_id, loan_id, ${fromVersion + 1}, number, paid_on, penalty, interest, principal, fee
      from repayment_allocation where loan_id = ${loanId} and version = ${fromVersion} and number in (${sql.join(carried)})
    `.execute(tx);
    // the expected interest of a carried instalment (DAILY_ACCRUAL restates `interest`) goes with it
    await sql`
      update instalment n set scheduled_interest = coalesce(o.scheduled_interest, n.scheduled_interest)
      from instalment o
      where n.loan_id = ${loanId} and n.version = ${fromVersion + 1} and n.number in (${sql.join(carried)})
        and o.loan_id = n.loan_id and o.version = ${fromVersion} and o.number = n.number and o.scheduled_interest is not null
    `.execute(tx);
  }
}

/** FORBIDDEN when the request exists and its loan's customer is outside the scope. */
export async function assertRestructuringInScope(db: Kysely<DB>, scope: Scope, id: string): Promise<void> {
  if (scope.kind === 'all') return;
  const row = await db.selectFrom('restructuring').select('loan_id').where('id', '=', id).executeTakeFirst();
  if (row) await assertLoanInScope(db, scope, row.loan_id);
}

// ---- Loan.restructurings and the top-level restructurings list (issue 12) ----

/** Restructurings in the order requested (ids are UUIDv7). */
const RESTRUCTURING_ORDER: SortKey[] = [{ ref: 'id', type: 'text' }];

const restructuringsOfLoans = (db: Kysely<DB>, scope: Scope, loanIds: readonly string[]) =>
  db
    .selectFrom('restructuring as x')
    .innerJoin('loan as l', 'l.id', 'x.loan_id')
    .selectAll('x')
    .select('x.loan_id as _parent')
    .where('x.loan_id', 'in', [...loanIds])
    .where(customerInScope(scope, 'l.customer_id'));

/** `Loan.restructurings`: one page per loan, in one statement. */
export async function findRestructuringPages(db: Kysely<DB>, scope: Scope, loanIds: readonly string[], window: PageWindow) {
  if (!loanIds.length) return [];
  return windowPages<RestructuringRow>(db, restructuringsOfLoans(db, scope, loanIds), RESTRUCTURING_ORDER, 'asc', window);
}

export async function countRestructuringsOfLoans(db: Kysely<DB>, scope: Scope, loanIds: readonly string[]): Promise<Map<string, number>> {
  if (!loanIds.length) return new Map();
  return countsOf(db, restructuringsOfLoans(db, scope, loanIds));
}

export interface RestructuringFilter extends LoanAttributeFilter {
  loanId?: string | null;
  kind?: RestructuringRow['kind'][] | null;
  status?: RestructuringRow['status'][] | null;
  effectiveFrom?: string | null;
  effectiveTo?: string | null;
}

const restructuringList = (db: Kysely<DB>, scope: Scope, f: RestructuringFilter) =>
  db
    .selectFrom('restructuring')
    .innerJoin('loan as l', 'l.id', 'restructuring.loan_id')
    .selectAll('restructuring')
    .where(customerInScope(scope, 'l.customer_id'))
    .where(loanAttributes(f, 'l'))
    .$if(!!f.loanId, (q) => q.where('restructuring.loan_id', '=', f.loanId ?? ''))
    .$if(!!f.kind?.length, (q) => q.where('restructuring.kind', 'in', f.kind ?? []))
    .$if(!!f.status?.length, (q) => q.where('restructuring.status', 'in', f.status ?? []))
    .$if(!!f.effectiveFrom, (q) => q.where('restructuring.effective_on', '>=', f.effectiveFrom ?? ''))
    .$if(!!f.effectiveTo, (q) => q.where('restructuring.effective_on', '<=', f.effectiveTo ?? ''));

/** `restructurings`: a page in the order requested after a cursor, or a changedSince pull. */
export async function listRestructurings(db: Kysely<DB>, scope: Scope, filter: RestructuringFilter, page: ListPage): Promise<Listed<RestructuringRow>[]> {
  return pageQuery(restructuringList(db, scope, filter), 'restructuring', [{ ref: 'restructuring.id', type: 'text' }], 'asc', page).execute();
}

export async function countRestructurings(db: Kysely<DB>, scope: Scope, filter: RestructuringFilter): Promise<number> {
  const row = await db
    .selectFrom(restructuringList(db, scope, filter).as('x'))
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
