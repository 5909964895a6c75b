import type { Insertable, Kysely } from 'kysely';
import type { DB, ReferralTable } from './schema.ts';

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
