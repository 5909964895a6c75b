import { type CountedConnection, decodeCursor, type PageWindow, type Scope } from '@crm/service-kit';
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
 * Newest referrals of each referrer (keyset on registration time and customer id), `limit` per
 * referrer, in one query: only referrers within the scope, and only referred customers within it.
 */
export async function findReferralsOfAccounts(db: Kysely<DB>, scope: Scope, accountIds: readonly string[], window: PageWindow): Promise<ReferralRow[]> {
  const after = window.after ? decodeCursor(window.after, 2) : null;
  const afterAt = after ? new Date(String(after[0])) : null;
  const afterId = after ? String(after[1]) : '';
  const ranked = db
    .selectFrom('referral as f')
    .innerJoin('loyalty_account as a', 'a.id', 'f.referrer_account_id')
    .innerJoin('loyalty_account as c', 'c.customer_id', 'f.referred_customer_id')
    .selectAll('f')
    .select((eb) =>
      eb.fn
        .agg<string>('row_number')
        .over((ob) => ob.partitionBy('f.referrer_account_id').orderBy('f.registered_at', 'desc').orderBy('f.referred_customer_id', 'desc'))
        .as('rn'),
    )
    .where('f.referrer_account_id', 'in', [...accountIds])
    .where(accountInScope(scope, 'a'))
    .where(accountInScope(scope, 'c'))
    .$if(afterAt !== null, (q) =>
      q.where((eb) =>
        eb.or([
          eb('f.registered_at', '<', afterAt ?? new Date(0)),
          eb.and([eb('f.registered_at', '=', afterAt ?? new Date(0)), eb('f.referred_customer_id', '<', afterId)]),
        ]),
      ),
    );
  const rows = await db
    .selectFrom(ranked.as('r'))
    .selectAll()
    .where('rn', '<=', String(window.limit))
    .orderBy('referrer_account_id')
    .orderBy('registered_at', 'desc')
    .orderBy('referred_customer_id', 'desc')
    .execute();
  return rows.map(({ rn: _rn, ...row }) => row);
}

/** Referrals per referrer within the scope (both members in it), in one grouped query (`totalCount` of `LoyaltyAccount.referrals`). */
export async function countReferralsOfAccounts(db: Kysely<DB>, scope: Scope, accountIds: readonly string[]): Promise<Map<string, number>> {
  if (!accountIds.length) return new Map();
  const rows = await db
    .selectFrom('referral as f')
    .innerJoin('loyalty_account as a', 'a.id', 'f.referrer_account_id')
    .innerJoin('loyalty_account as c', 'c.customer_id', 'f.referred_customer_id')
    .select(['f.referrer_account_id', (eb) => eb.fn.countAll<string>().as('n')])
    .where('f.referrer_account_id', 'in', [...accountIds])
    .where(accountInScope(scope, 'a'))
    .where(accountInScope(scope, 'c'))
    .groupBy('f.referrer_account_id')
    .execute();
  return new Map(rows.map((r) => [r.referrer_account_id, Number(r.n)]));
}

/** A referral as `LoyaltyAccount.referrals` shows it. */
export interface ReferralNode {
  referredCustomer: CustomerRef;
  registeredAt: Date;
  rewardedAt: Date | null;
}

/** `LoyaltyAccount.referrals`: a page and its lazy count. */
export type ReferralPage = CountedConnection<ReferralNode>;
