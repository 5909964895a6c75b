import { type CountedConnection, countsOf, type PageWindow, type Parented, type Scope, type SortKey, windowPages } from '@crm/service-kit';
import type { Insertable, Kysely, Selectable } from 'kysely';
import { accountInScope } from './account.store.ts';
import type { CustomerRef, DB, ReferralTable } from './schema.ts';

/** Records who referred a customer; a customer is referred once. */
export async function insertReferralOnce(db: Kysely<DB>, row: Insertable<ReferralTable>): Promise<void> {
  await db
    .insertInto('referral')
    .values(row)
    .onConflict((oc) => oc.column('referred_customer_id').doNothing())
    .execute();
}

/** insertReferralOnce for many customers, in one INSERT (event batches). */
export async function insertReferralsOnce(db: Kysely<DB>, rows: readonly Insertable<ReferralTable>[]): Promise<void> {
  if (!rows.length) return;
  await db
    .insertInto('referral')
    .values([...rows])
    .onConflict((oc) => oc.column('referred_customer_id').doNothing())
    .execute();
}

export async function findUnrewardedReferral(db: Kysely<DB>, referredCustomerId: string) {
  return db
    .selectFrom('referral')
    .selectAll()
    .where('referred_customer_id', '=', referredCustomerId)
    .where('rewarded_at', 'is', null)
    .forUpdate()
    .executeTakeFirst();
}

export async function markReferralRewarded(db: Kysely<DB>, referredCustomerId: string, at: Date, entryId: string): Promise<void> {
  await db.updateTable('referral').set({ rewarded_at: at, reward_entry_id: entryId }).where('referred_customer_id', '=', referredCustomerId).execute();
}

export type ReferralRow = Selectable<ReferralTable>;

/**
 * The referrals of many referrers, with the referrer's account as `_parent`: only referrers within
 * the scope, and only referred customers within it.
 */
const referralsOfAccounts = (db: Kysely<DB>, scope: Scope, accountIds: readonly string[]) =>
  db
    .selectFrom('referral as f')
    .innerJoin('loyalty_account as a', 'a.id', 'f.referrer_account_id')
    .innerJoin('loyalty_account as c', 'c.customer_id', 'f.referred_customer_id')
    .selectAll('f')
    .select('f.referrer_account_id as _parent')
    .where('f.referrer_account_id', 'in', [...accountIds])
    .where(accountInScope(scope, 'a'))
    .where(accountInScope(scope, 'c'));

/** Per-referrer order: newest registration first, ties on the instant broken by the referred customer (referred once). */
const REFERRAL_ORDER: readonly SortKey[] = [
  { ref: 'registered_at', type: 'timestamptz' },
  { ref: 'referred_customer_id', type: 'text' },
];

/** `LoyaltyAccount.referrals`: one page per referrer after a cursor, in one statement (a window function). */
export async function findReferralsOfAccounts(
  db: Kysely<DB>,
  scope: Scope,
  accountIds: readonly string[],
  window: PageWindow,
): Promise<Parented<ReferralRow>[]> {
  if (!accountIds.length) return [];
  return windowPages<ReferralRow>(db, referralsOfAccounts(db, scope, accountIds), REFERRAL_ORDER, 'desc', window);
}

/** Referrals per referrer (both ends within the scope), in one grouped statement (`totalCount` of `LoyaltyAccount.referrals`). */
export async function countReferralsOfAccounts(db: Kysely<DB>, scope: Scope, accountIds: readonly string[]): Promise<Map<string, number>> {
  if (!accountIds.length) return new Map();
  return countsOf(db, referralsOfAccounts(db, scope, accountIds));
}

/** A referral as `LoyaltyAccount.referrals` shows it. */
export interface ReferralNode {
  referredCustomer: CustomerRef;
  registeredAt: Date;
  rewardedAt: Date | null;
}

/** `LoyaltyAccount.referrals`: a page and its lazy count. */
export type ReferralPage = CountedConnection<ReferralNode>;
