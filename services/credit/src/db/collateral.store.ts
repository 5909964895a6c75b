import type { PageWindow, Scope } from '@crm/service-kit';
import type { Insertable, Kysely } from 'kysely';
import { countsOf, type SortKey, windowPages } from './paging.ts';
import type { CollateralRow, CollateralValuationRow, DB, GuarantorRow, GuarantorTable } from './schema.ts';
import { customerInScope } from './scope.ts';

export interface CollateralWithValuations extends CollateralRow {
  currency: string;
  /** Oldest first; the last is the current value. */
  valuations: CollateralValuationRow[];
}

export async function insertCollateral(tx: Kysely<DB>, row: Insertable<DB['collateral']>, valuation: Insertable<DB['collateral_valuation']>): Promise<void> {
  await tx.insertInto('collateral').values(row).execute();
  await tx.insertInto('collateral_valuation').values(valuation).execute();
}

export async function insertValuation(db: Kysely<DB>, valuation: Insertable<DB['collateral_valuation']>): Promise<void> {
  await db.insertInto('collateral_valuation').values(valuation).execute();
}

export async function findCollateralIdByIdempotencyKey(db: Kysely<DB>, key: string): Promise<string | undefined> {
  return (await db.selectFrom('collateral').select('id').where('idempotency_key', '=', key).executeTakeFirst())?.id;
}

/** Collateral of these loans (or with these ids) with every valuation, in two queries. */
export async function findCollateral(
  db: Kysely<DB>,
  scope: Scope,
  by: { loanIds?: readonly string[]; ids?: readonly string[] },
): Promise<CollateralWithValuations[]> {
  const loanIds = by.loanIds ?? [];
  const ids = by.ids ?? [];
  if (!loanIds.length && !ids.length) return [];
  const items = await db
    .selectFrom('collateral as c')
    .innerJoin('loan as l', 'l.id', 'c.loan_id')
    .selectAll('c')
    .select('l.currency')
    .where(customerInScope(scope, 'l.customer_id'))
    .where((eb) => eb.or([...(loanIds.length ? [eb('c.loan_id', 'in', [...loanIds])] : []), ...(ids.length ? [eb('c.id', 'in', [...ids])] : [])]))
    .orderBy('c.id')
    .execute();
  if (!items.length) return [];
  const valuations = await db
    .selectFrom('collateral_valuation')
    .selectAll()
    .where(
      'collateral_id',
      'in',
      items.map((i) => i.id),
    )
    .orderBy('valued_on')
    .orderBy('recorded_at')
    .execute();
  return items.map((i) => ({ ...i, valuations: valuations.filter((v) => v.collateral_id === i.id) }));
}

export async function insertGuarantor(db: Kysely<DB>, row: Insertable<GuarantorTable>): Promise<void> {
  await db.insertInto('guarantor').values(row).execute();
}

export async function findGuarantors(db: Kysely<DB>, scope: Scope, loanIds: readonly string[]): Promise<GuarantorRow[]> {
  if (!loanIds.length) return [];
  return db
    .selectFrom('guarantor as g')
    .innerJoin('loan as l', 'l.id', 'g.loan_id')
    .selectAll('g')
    .where('g.loan_id', 'in', [...loanIds])
    .where(customerInScope(scope, 'l.customer_id'))
    .orderBy('g.id')
    .execute();
}

// ---- Loan.collateral and Loan.guarantors as connections (issue 12) ----

/** Collateral and guarantors in the order they were added (ids are UUIDv7). */
const BY_ID: SortKey[] = [{ ref: 'id', type: 'text' }];

const collateralOfLoans = (db: Kysely<DB>, scope: Scope, loanIds: readonly string[]) =>
  db
    .selectFrom('collateral as c')
    .innerJoin('loan as l', 'l.id', 'c.loan_id')
    .selectAll('c')
    .select(['l.currency', 'c.loan_id as _parent'])
    .where('c.loan_id', 'in', [...loanIds])
    .where(customerInScope(scope, 'l.customer_id'));

/** `Loan.collateral`: one page per loan (one statement), then the valuations of the page's items (one more). */
export async function findCollateralPages(db: Kysely<DB>, scope: Scope, loanIds: readonly string[], window: PageWindow) {
  if (!loanIds.length) return [];
  const items = await windowPages<CollateralRow & { currency: string }>(db, collateralOfLoans(db, scope, loanIds), BY_ID, 'asc', window);
  if (!items.length) return [];
  const valuations = await db
    .selectFrom('collateral_valuation')
    .selectAll()
    .where(
      'collateral_id',
      'in',
      items.map((i) => i.id),
    )
    .orderBy('valued_on')
    .orderBy('recorded_at')
    .execute();
  return items.map((i) => ({ ...i, valuations: valuations.filter((v) => v.collateral_id === i.id) }));
}

export async function countCollateral(db: Kysely<DB>, scope: Scope, loanIds: readonly string[]): Promise<Map<string, number>> {
  if (!loanIds.length) return new Map();
  return countsOf(db, collateralOfLoans(db, scope, loanIds));
}

const guarantorsOfLoans = (db: Kysely<DB>, scope: Scope, loanIds: readonly string[]) =>
  db
    .selectFrom('guarantor as g')
    .innerJoin('loan as l', 'l.id', 'g.loan_id')
    .selectAll('g')
    .select('g.loan_id as _parent')
    .where('g.loan_id', 'in', [...loanIds])
    .where(customerInScope(scope, 'l.customer_id'));

/** `Loan.guarantors`: one page per loan, in one statement. */
export async function findGuarantorPages(db: Kysely<DB>, scope: Scope, loanIds: readonly string[], window: PageWindow) {
  if (!loanIds.length) return [];
  return windowPages<GuarantorRow>(db, guarantorsOfLoans(db, scope, loanIds), BY_ID, 'asc', window);
}

export async function countGuarantors(db: Kysely<DB>, scope: Scope, loanIds: readonly string[]): Promise<Map<string, number>> {
  if (!loanIds.length) return new Map();
  return countsOf(db, guarantorsOfLoans(db, scope, loanIds));
}
