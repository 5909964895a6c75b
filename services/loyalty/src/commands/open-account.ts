import { randomBytes } from 'node:crypto';
import { emit } from '@crm/events';
import { isoDate } from '@crm/service-kit';
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { findAccountsByCustomerIds, insertAccountOnce, SYSTEM_SCOPE } from '../db/account.store.ts';
import type { DB, LoyaltyAccountRow } from '../db/schema.ts';
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
): Promise<{ account: LoyaltyAccountRow; opened: boolean }> {
  const entryTier = (await findTiers(tx))[0]?.code ?? ENTRY_TIER;
  const accountId = uuidv7();
  const opened = await insertAccountOnce(tx, {
    id: accountId,
    customer_id: customerId,
    tier: entryTier,
    referral_code: referralCodeFrom(randomBytes(8)),
    opened_at: at,
    branch_id: replica.branchId,
    relationship_manager_id: replica.relationshipManagerId ?? null,
    birth_date: replica.birthDate,
    tier_since: isoDate(at),
  });
  if (opened) {
    await emit(tx, 'LoyaltyAccountOpened', {
      subject: customerId,
      data: { accountId, customerId, tier: entryTier, openedAt: at.toISOString() },
    });
  }
  const [account] = await findAccountsByCustomerIds(tx, SYSTEM_SCOPE, [customerId]);
  if (!account) throw new Error(`Loyalty account of customer ${customerId} vanished`);
  return { account, opened };
}
