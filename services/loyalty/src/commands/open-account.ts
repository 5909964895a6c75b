import { randomBytes } from 'node:crypto';
import { emit } from '@crm/events';
import { isoDate } from '@crm/service-kit';
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { type AccountWithBalance, findAccountsByCustomerIds, insertAccountOnce, SYSTEM_SCOPE } from '../db/account.store.ts';
import { cachedTiers } from '../db/programme.cache.ts';
import type { DB } from '../db/schema.ts';
import { findTiers } from '../db/tier.store.ts';
import { ENTRY_TIER, referralCodeFrom } from '../domain/points.ts';

/**
 * The customer's account, opened now (lowest tier, emitting LoyaltyAccountOpened) if it does not
 * exist yet. CustomerRegistered opens it; a lending or survey event that overtakes the
 * registration (another topic, no ordering between them) opens it too, so no points are lost, and
 * the registration then completes it (branch, birth date, welcome points, referral).
 */
export async function openAccountOnce(
  tx: Kysely<DB>,
  customerId: string,
  at: Date,
  replica: { branchId: string | null; birthDate: string | null; relationshipManagerId?: string | null } = { branchId: null, birthDate: null },
  /** The service's database handle (event handlers): the tiers come from its per-process cache. */
  programme?: Kysely<DB>,
): Promise<{ account: AccountWithBalance; opened: boolean }> {
  const entryTier = (await (programme ? cachedTiers(programme, tx) : findTiers(tx)))[0]?.code ?? ENTRY_TIER;
  const row = {
    id: uuidv7(),
    customer_id: customerId,
    tier: entryTier,
    referral_code: referralCodeFrom(randomBytes(8)),
    opened_at: at,
    branch_id: replica.branchId,
    relationship_manager_id: replica.relationshipManagerId ?? null,
    birth_date: replica.birthDate,
    tier_since: isoDate(at),
  };
  const opened = await insertAccountOnce(tx, row);
  if (opened) {
    await emit(tx, 'LoyaltyAccountOpened', {
      subject: customerId,
      data: { accountId: row.id, customerId, tier: entryTier, openedAt: at.toISOString() },
    });
    // Just inserted: the row as written, no points yet (no read back).
    return { account: { ...row, downgrade_on: null, balance: 0 }, opened };
  }
  const [account] = await findAccountsByCustomerIds(tx, SYSTEM_SCOPE, [customerId]);
  if (!account) throw new Error(`Loyalty account of customer ${customerId} vanished`);
  return { account, opened };
}
