import {
  assertInScope,
  type ChangePosition,
  type ChangeStamped,
  type CountedConnection,
  changeColumns,
  changeFeedFilter,
  changeOrder,
  countsOf,
  endOfDate,
  inScopeSql,
  type PageWindow,
  type Parented,
  type Scope,
  type SortKey,
  startOfDate,
  windowPages,
} from '@crm/service-kit';
import { expressionBuilder, type Insertable, type Kysely, type RawBuilder, type SqlBool, sql } from 'kysely';
import { inChunks } from './chunks.ts';
import { afterTimeId, timeIdCursor } from './keyset.ts';
import type { DB, EarningRuleRow, LoyaltyAccountRow, LoyaltyAccountTable, LoyaltySettingRow, NewPointsEntry, PointsEntryRow } from './schema.ts';

/** An account with its balance, derived from the ledger in the same query. */
export interface AccountWithBalance extends LoyaltyAccountRow {
  balance: number;
}

function selectAccounts(db: Kysely<DB>) {
  return db
    .selectFrom('loyalty_account as a')
    .selectAll('a')
    .select((eb) =>
      eb
        .selectFrom('points_entry as e')
        .whereRef('e.account_id', '=', 'a.id')
        .select((e) => e.fn.coalesce(e.fn.sum<string>('e.points'), e.lit(0)).as('s'))
        .as('balance'),
    );
}

/** Jobs and event handlers are system work: every member. */
export const SYSTEM_SCOPE: Scope = { kind: 'all' };

/** The scope predicate over an account aliased `alias` (its branch and relationship manager). */
export function accountInScope(scope: Scope, alias = 'a') {
  return inScopeSql(scope, `${alias}.branch_id`, `${alias}.relationship_manager_id`);
}

/** FORBIDDEN unless the account's customer is within the scope. */
export function assertAccountInScope(scope: Scope, account: Pick<LoyaltyAccountRow, 'branch_id' | 'relationship_manager_id'>): void {
  assertInScope(scope, { branchId: account.branch_id, managerId: account.relationship_manager_id }, 'loyalty member');
}

function withNumericBalance<R extends LoyaltyAccountRow & { balance: string | number | null }>(row: R): Omit<R, 'balance'> & { balance: number } {
  return { ...row, balance: Number(row.balance ?? 0) };
}

/** The accounts with these ids that are within the scope (others are left out). */
export async function findAccountsByIds(db: Kysely<DB>, scope: Scope, ids: readonly string[]): Promise<AccountWithBalance[]> {
  if (!ids.length) return [];
  return (
    await selectAccounts(db)
      .where('a.id', 'in', [...ids])
      .where(accountInScope(scope))
      .execute()
  ).map(withNumericBalance);
}

/** One account by id: undefined when there is none, FORBIDDEN when it is outside the scope. */
export async function findAccountById(db: Kysely<DB>, scope: Scope, id: string): Promise<AccountWithBalance | undefined> {
  const row = await selectAccounts(db).where('a.id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  assertAccountInScope(scope, row);
  return withNumericBalance(row);
}

/** The accounts of these customers that are within the scope (others are left out). */
export async function findAccountsByCustomerIds(db: Kysely<DB>, scope: Scope, customerIds: readonly string[]): Promise<AccountWithBalance[]> {
  if (!customerIds.length) return [];
  return (
    await selectAccounts(db)
      .where('a.customer_id', 'in', [...customerIds])
      .where(accountInScope(scope))
      .execute()
  ).map(withNumericBalance);
}

/** FORBIDDEN when the customer has an account outside the scope (nothing to say when there is none). */
export async function assertCustomerInScope(db: Kysely<DB>, scope: Scope, customerId: string): Promise<void> {
  if (scope.kind === 'all') return;
  const row = await db.selectFrom('loyalty_account').select(['branch_id', 'relationship_manager_id']).where('customer_id', '=', customerId).executeTakeFirst();
  if (row) assertAccountInScope(scope, row);
}

/** Opens an account unless the customer has one; returns false when it existed. */
export async function insertAccountOnce(db: Kysely<DB>, row: Insertable<LoyaltyAccountTable>): Promise<boolean> {
  const inserted = await db
    .insertInto('loyalty_account')
    .values(row)
    .onConflict((oc) => oc.column('customer_id').doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/**
 * Opens the accounts of customers who have none, in one INSERT per 500 (event batches); returns
 * the customers whose account was opened now (the others had one).
 */
export async function insertAccountsOnce(db: Kysely<DB>, rows: readonly Insertable<LoyaltyAccountTable>[]): Promise<Set<string>> {
  const inserted = await inChunks(rows, (slice) =>
    db
      .insertInto('loyalty_account')
      .values(slice)
      .onConflict((oc) => oc.column('customer_id').doNothing())
      .returning('customer_id')
      .execute(),
  );
  return new Set(inserted.map((r) => r.customer_id));
}

/**
 * Appends a ledger entry unless the same source already produced one of this kind, or the same
 * rule already earned for the same business key (`source_ref`): both are unique constraints.
 */
export async function appendEntryOnce(db: Kysely<DB>, entry: NewPointsEntry): Promise<boolean> {
  const inserted = await db
    .insertInto('points_entry')
    .values(entry)
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** appendEntryOnce for many entries, one INSERT per 500 (event batches); returns the ids of the entries appended. */
export async function appendEntriesOnce(db: Kysely<DB>, entries: readonly NewPointsEntry[]): Promise<Set<string>> {
  const inserted = await inChunks(entries, (slice) =>
    db
      .insertInto('points_entry')
      .values(slice)
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .execute(),
  );
  return new Set(inserted.map((r) => r.id));
}

export async function balanceOf(db: Kysely<DB>, accountId: string): Promise<number> {
  const row = await db
    .selectFrom('points_entry')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<string>('points'), eb.lit(0)).as('s'))
    .where('account_id', '=', accountId)
    .executeTakeFirstOrThrow();
  return Number(row.s);
}

export async function findActiveRule(db: Kysely<DB>, code: string): Promise<EarningRuleRow | undefined> {
  return db.selectFrom('earning_rule').selectAll().where('code', '=', code).where('active', '=', true).executeTakeFirst();
}

/**
 * The customer's account, its row locked until the transaction ends (`select ... for update`),
 * with the balance read after the lock: concurrent debits of one account run one after the other.
 * FORBIDDEN (before anything is written) when the account is outside the scope.
 */
export async function lockAccountOfCustomer(tx: Kysely<DB>, scope: Scope, customerId: string): Promise<AccountWithBalance | undefined> {
  const row = await tx.selectFrom('loyalty_account').selectAll().where('customer_id', '=', customerId).forUpdate().executeTakeFirst();
  if (!row) return undefined;
  assertAccountInScope(scope, row);
  return { ...row, balance: await balanceOf(tx, row.id) };
}

/** The account, locked; FORBIDDEN when it is outside the scope. */
export async function lockAccountById(tx: Kysely<DB>, scope: Scope, accountId: string): Promise<AccountWithBalance | undefined> {
  const row = await tx.selectFrom('loyalty_account').selectAll().where('id', '=', accountId).forUpdate().executeTakeFirst();
  if (!row) return undefined;
  assertAccountInScope(scope, row);
  return { ...row, balance: await balanceOf(tx, row.id) };
}

/** A referral code as stored: codes are matched without surrounding blanks and case. */
export const normalReferralCode = (code: string) => code.trim().toUpperCase();

export async function findAccountByReferralCode(db: Kysely<DB>, code: string): Promise<LoyaltyAccountRow | undefined> {
  return db.selectFrom('loyalty_account').selectAll().where('referral_code', '=', normalReferralCode(code)).executeTakeFirst();
}

/** The accounts holding these referral codes (as given, any case), by normalised code, in one query. */
export async function findAccountsByReferralCodes(db: Kysely<DB>, codes: readonly string[]): Promise<Map<string, LoyaltyAccountRow>> {
  const wanted = [...new Set(codes.map(normalReferralCode))];
  if (!wanted.length) return new Map();
  const rows = await inChunks(wanted, (slice) => db.selectFrom('loyalty_account').selectAll().where('referral_code', 'in', slice).execute());
  return new Map(rows.map((r) => [r.referral_code, r]));
}

export async function findSettings(db: Kysely<DB>): Promise<LoyaltySettingRow> {
  return db.selectFrom('loyalty_setting').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
}

export async function updateSettings(db: Kysely<DB>, changes: Partial<Omit<LoyaltySettingRow, 'id'>>): Promise<LoyaltySettingRow> {
  return db.updateTable('loyalty_setting').set(changes).where('id', '=', 1).returningAll().executeTakeFirstOrThrow();
}

/** Sets the tier of several accounts at once (tier evaluation). */
export async function setTier(db: Kysely<DB>, accountIds: readonly string[], tier: string, since: string): Promise<void> {
  await inChunks(accountIds, async (slice) => {
    await db.updateTable('loyalty_account').set({ tier, tier_since: since, downgrade_on: null }).where('id', 'in', slice).execute();
    return [];
  });
}

/** Marks (or clears, with null) a pending downgrade for several accounts at once. */
export async function setDowngradeOn(db: Kysely<DB>, accountIds: readonly string[], downgradeOn: string | null): Promise<void> {
  await inChunks(accountIds, async (slice) => {
    await db.updateTable('loyalty_account').set({ downgrade_on: downgradeOn }).where('id', 'in', slice).execute();
    return [];
  });
}

/** Keyset of a ledger entry in the top-level `pointsEntries` list (created, then id: entries recorded at the same instant are ordered by id). */
export const entryCursor = (e: Pick<PointsEntryRow, 'created_at' | 'id'>) => timeIdCursor(e.created_at, e.id);

/** The ledger entries of many accounts within the scope, with the account as `_parent`. */
const entriesOfAccounts = (db: Kysely<DB>, scope: Scope, accountIds: readonly string[]) =>
  db
    .selectFrom('points_entry as e')
    .innerJoin('loyalty_account as a', 'a.id', 'e.account_id')
    .selectAll('e')
    .select('e.account_id as _parent')
    .where('e.account_id', 'in', [...accountIds])
    .where(accountInScope(scope));

/** Per-account order of the ledger: newest first, ties on the instant broken by id. */
const ENTRY_ORDER: readonly SortKey[] = [
  { ref: 'created_at', type: 'timestamptz' },
  { ref: 'id', type: 'text' },
];

/** `LoyaltyAccount.ledger`: one page per account after a cursor, in one statement (a window function). */
export async function findEntriesOfAccounts(
  db: Kysely<DB>,
  scope: Scope,
  accountIds: readonly string[],
  window: PageWindow,
): Promise<Parented<PointsEntryRow>[]> {
  if (!accountIds.length) return [];
  return windowPages<PointsEntryRow>(db, entriesOfAccounts(db, scope, accountIds), ENTRY_ORDER, 'desc', window);
}

/** Ledger entries per account within the scope, in one grouped statement (`totalCount` of `LoyaltyAccount.ledger`). */
export async function countEntriesOfAccounts(db: Kysely<DB>, scope: Scope, accountIds: readonly string[]): Promise<Map<string, number>> {
  if (!accountIds.length) return new Map();
  return countsOf(db, entriesOfAccounts(db, scope, accountIds));
}

/** Who a member is, for the filters of the top-level lists (over the account aliased `a`). */
export interface MemberFilter {
  customerId?: string | null;
  /** The member's branch now. */
  branchId?: string | null;
  /** The member's relationship manager now. */
  relationshipManagerId?: string | null;
  /** The member's tier now. */
  tier?: readonly string[] | null;
}

/** The member filter and the caller's scope over the account aliased `a`. */
export function memberMatches(scope: Scope, f: MemberFilter): RawBuilder<SqlBool> {
  const conditions: RawBuilder<SqlBool>[] = [sql<SqlBool>`${accountInScope(scope)(expressionBuilder<DB, 'loyalty_account'>())}`];
  if (f.customerId) conditions.push(sql<SqlBool>`a.customer_id = ${f.customerId}`);
  if (f.branchId) conditions.push(sql<SqlBool>`a.branch_id = ${f.branchId}`);
  if (f.relationshipManagerId) conditions.push(sql<SqlBool>`a.relationship_manager_id = ${f.relationshipManagerId}`);
  if (f.tier?.length) conditions.push(sql<SqlBool>`a.tier in (${sql.join([...f.tier])})`);
  return sql<SqlBool>`(${sql.join(conditions, sql` and `)})`;
}

/** `[from, to]` (whole UTC days, either open) on a timestamp column: a trusted reference. */
export function withinDays(column: string, from: string | null | undefined, to: string | null | undefined): RawBuilder<SqlBool> {
  const ref = sql.ref(column);
  const conditions: RawBuilder<SqlBool>[] = [sql<SqlBool>`true`];
  if (from) conditions.push(sql<SqlBool>`${ref} >= ${startOfDate(from)}`);
  if (to) conditions.push(sql<SqlBool>`${ref} < ${endOfDate(to)}`);
  return sql<SqlBool>`(${sql.join(conditions, sql` and `)})`;
}

export interface AccountFilter extends MemberFilter {
  openedFrom?: string | null;
  openedTo?: string | null;
}

/** An account as `loyaltyAccounts` returns it; the stamp only in a `changedSince` pull. */
export type AccountRecord = AccountWithBalance & Partial<ChangeStamped>;

/** Keyset of an account in the list's order (opened, then id). */
export const accountCursor = (a: Pick<LoyaltyAccountRow, 'opened_at' | 'id'>) => timeIdCursor(a.opened_at, a.id);

/**
 * One page of `loyaltyAccounts`: in (opened, id) order after a keyset cursor or, with `since` (a
 * `changedSince` pull), in change-feed order after that position. Balances in the same statement.
 */
export async function listAccounts(
  db: Kysely<DB>,
  scope: Scope,
  filter: AccountFilter,
  page: { limit: number; after: string | null; since: ChangePosition | null | undefined },
): Promise<AccountRecord[]> {
  const base = selectAccounts(db)
    .where(memberMatches(scope, filter))
    .where(withinDays('a.opened_at', filter.openedFrom, filter.openedTo));
  const rows =
    page.since !== undefined
      ? await base.select(changeColumns('a')).where(changeFeedFilter('a', page.since)).orderBy(changeOrder('a')).limit(page.limit).execute()
      : await base
          .where(afterTimeId('a.opened_at', 'a.id', page.after, 'asc'))
          .orderBy('a.opened_at')
          .orderBy('a.id')
          .limit(page.limit)
          .execute();
  return rows.map(withNumericBalance);
}

export async function countAccounts(db: Kysely<DB>, scope: Scope, filter: AccountFilter): Promise<number> {
  const row = await db
    .selectFrom('loyalty_account as a')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where(memberMatches(scope, filter))
    .where(withinDays('a.opened_at', filter.openedFrom, filter.openedTo))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** `loyaltyAccounts`: a page and its lazy count. */
export type AccountPage = CountedConnection<AccountRecord>;

/** Updates the customer fields loyalty keeps on the account (no-op when nothing is given). */
export async function updateCustomerReplica(
  db: Kysely<DB>,
  customerId: string,
  changes: { branch_id?: string; birth_date?: string | null; relationship_manager_id?: string | null },
): Promise<void> {
  if (!Object.keys(changes).length) return;
  await db.updateTable('loyalty_account').set(changes).where('customer_id', '=', customerId).execute();
}
