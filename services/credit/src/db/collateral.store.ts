import type { CountedConnection, PageWindow, Scope } from '@crm/service-kit';
import { countsOf, type SortKey, windowPages } from '@crm/service-kit';
import type { Insertable, Kysely } from 'kysely';
import type { CollateralRow, CollateralValuationRow, DB, GuarantorRow, GuarantorTable } from './schema.ts';
import { customerInScope } from './scope.ts';

/** A valuation with its collateral's currency (the loan's). */
export interface ValuationWithCurrency extends CollateralValuationRow {
  currency: string;
}

/** A collateral item with its current value: the valuation latest by (valued_on, recorded_at, id); null before any. */
export interface CollateralWithValue extends CollateralRow {
  currency: string;
  latest: CollateralValuationRow | null;
}

export type CollateralValuationPage = CountedConnection<ValuationWithCurrency>;

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

/** The latest valuation of each of these items, in one statement (`distinct on`). */
async function latestValuations(db: Kysely<DB>, collateralIds: readonly string[]): Promise<Map<string, CollateralValuationRow>> {
  if (!collateralIds.length) return new Map();
  const rows = await db
    .selectFrom('collateral_valuation')
    .distinctOn('collateral_id')
    .selectAll()
    .where('collateral_id', 'in', [...collateralIds])
    .orderBy('collateral_id')
    .orderBy('valued_on', 'desc')
    .orderBy('recorded_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return new Map(rows.map((v) => [v.collateral_id, v]));
}

/** Collateral of these loans (or with these ids) with its current value, in two queries. */
export async function findCollateral(
  db: Kysely<DB>,
  scope: Scope,
  by: { loanIds?: readonly string[]; ids?: readonly string[] },
): Promise<CollateralWithValue[]> {
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
  const latest = await latestValuations(
    db,
    items.map((i) => i.id),
  );
  return items.map((i) => ({ ...i, latest: latest.get(i.id) ?? null }));
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

/** `Loan.collateral`: one page per loan (one statement), then the current value of the page's items (one more). */
export async function findCollateralPages(db: Kysely<DB>, scope: Scope, loanIds: readonly string[], window: PageWindow) {
  if (!loanIds.length) return [];
  const items = await windowPages<CollateralRow & { currency: string }>(db, collateralOfLoans(db, scope, loanIds), BY_ID, 'asc', window);
  if (!items.length) return [];
  const latest = await latestValuations(
    db,
    items.map((i) => i.id),
  );
  return items.map((i) => ({ ...i, latest: latest.get(i.id) ?? null }));
}

export async function countCollateral(db: Kysely<DB>, scope: Scope, loanIds: readonly string[]): Promise<Map<string, number>> {
  if (!loanIds.length) return new Map();
  return countsOf(db, collateralOfLoans(db, scope, loanIds));
}

// ---- Collateral.valuations as a connection (issue 12) ----

/** Valuations oldest first: by valuation date, then when recorded, then id (UUIDv7, unique). */
const VALUATION_ORDER: SortKey[] = [
  { ref: 'valued_on', type: 'date' },
  { ref: 'recorded_at', type: 'timestamptz' },
  { ref: 'id', type: 'text' },
];

/** The valuations of these items whose loan's customer is in scope, with the currency and `_parent` (the item). */
const valuationsOfCollateral = (db: Kysely<DB>, scope: Scope, collateralIds: readonly string[]) =>
  db
    .selectFrom('collateral_valuation as v')
    .innerJoin('collateral as c', 'c.id', 'v.collateral_id')
    .innerJoin('loan as l', 'l.id', 'c.loan_id')
    .selectAll('v')
    .select(['l.currency', 'v.collateral_id as _parent'])
    .where('v.collateral_id', 'in', [...collateralIds])
    .where(customerInScope(scope, 'l.customer_id'));

/** `Collateral.valuations`: one page per item, in one statement whatever the number of items. */
export async function findValuationPages(db: Kysely<DB>, scope: Scope, collateralIds: readonly string[], window: PageWindow) {
  if (!collateralIds.length) return [];
  return windowPages<ValuationWithCurrency>(db, valuationsOfCollateral(db, scope, collateralIds), VALUATION_ORDER, 'asc', window);
}

/** `Collateral.valuations.totalCount`: one grouped count. */
export async function countValuations(db: Kysely<DB>, scope: Scope, collateralIds: readonly string[]): Promise<Map<string, number>> {
  if (!collateralIds.length) return new Map();
  return countsOf(db, valuationsOfCollateral(db, scope, collateralIds));
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
