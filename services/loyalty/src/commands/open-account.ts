import { randomBytes } from 'node:crypto';
import { emit } from '@crm/events';
import { isoDate } from '@crm/service-kit';
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { type AccountWithBalance, findAccountsByCustomerIds, insertAccountOnce, insertAccountsOnce, SYSTEM_SCOPE } from '../db/account.store.ts';
import { cachedTiers } from '../db/programme.cache.ts';
import type { DB, LoyaltyAccountRow } from '../db/schema.ts';
import { findTiers } from '../db/tier.store.ts';
import { ENTRY_TIER, referralCodeFrom } from '../domain/points.ts';

/**
 * The customer's account, opened now (lowest tier, emitting LoyaltyAccountOpened) if it does not
 * exist yet. CustomerRegistered opens it; a lending or survey event that overtakes the
 * registration (another topic, no ordering between them) opens it too, so no points are lost, and
 * the registration then completes it (branch, birth date, welcome points, referral).
 */
/** The customer fields loyalty keeps on the account. */
export interface AccountReplica {
  branchId: string | null;
  birthDate: string | null;
  relationshipManagerId?: string | null;
}

function newAccountRow(customerId: string, at: Date, entryTier: string, replica: AccountReplica): Omit<LoyaltyAccountRow, 'downgrade_on'> {
  return {
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
}

export async function openAccountOnce(
  tx: Kysely<DB>,
  customerId: string,
  at: Date,
  replica: { branchId: string | null; birthDate: string | null; relationshipManagerId?: string | null } = { branchId: null, birthDate: null },
  /** The service's database handle (event handlers): the tiers come from its per-process cache. */
  programme?: Kysely<DB>,
): Promise<{ account: AccountWithBalance; opened: boolean }> {
  const entryTier = (await (programme ? cachedTiers(programme, tx) : findTiers(tx)))[0]?.code ?? ENTRY_TIER;
  const row = newAccountRow(customerId, at, entryTier, replica);
  const opened = await insertAccountOnce(tx, row);
  if (opened) {
    await emit(tx, 'LoyaltyAccountOpened', {
      subject: customerId,
      data: { accountId: row.id, customerId, tier: entryTier, openedAt: at.toISOString() },
    });
    return { account: justOpened(row), opened };
  }
  const [account] = await findAccountsByCustomerIds(tx, SYSTEM_SCOPE, [customerId]);
  if (!account) throw new Error(`Loyalty account of customer ${customerId} vanished`);
  return { account, opened };
}

/** An account just inserted: the row as written, no points yet (no read back). */
function justOpened(row: ReturnType<typeof newAccountRow>): AccountWithBalance {
  return { ...row, downgrade_on: null, balance: 0 };
}

/**
 * openAccountOnce for many customers at once (event batches), each customer once: one INSERT
 * for all the accounts, one read of those that existed, and LoyaltyAccountOpened for each opened
 * (inside `as`, the handling of the event that opened it). Returns, per customer, the account
 * with its balance and whether it was opened now.
 */
export async function openAccountsOnce(
  tx: Kysely<DB>,
  wanted: readonly { customerId: string; at: Date; replica?: AccountReplica }[],
  programme: Kysely<DB>,
  as: <T>(index: number, fn: () => Promise<T>) => Promise<T> = (_index, fn) => fn(),
): Promise<Map<string, { account: AccountWithBalance; opened: boolean }>> {
  const entryTier = (await cachedTiers(programme, tx))[0]?.code ?? ENTRY_TIER;
  const rows = wanted.map((w) => newAccountRow(w.customerId, w.at, entryTier, w.replica ?? { branchId: null, birthDate: null }));
  const opened = await insertAccountsOnce(tx, rows);
  const out = new Map<string, { account: AccountWithBalance; opened: boolean }>();
  for (const [index, row] of rows.entries()) {
    if (!opened.has(row.customer_id)) continue;
    await as(index, () =>
      emit(tx, 'LoyaltyAccountOpened', {
        subject: row.customer_id,
        data: { accountId: row.id, customerId: row.customer_id, tier: entryTier, openedAt: (wanted[index]?.at ?? new Date()).toISOString() },
      }),
    );
    out.set(row.customer_id, { account: justOpened(row), opened: true });
  }
  const existing = rows.filter((r) => !opened.has(r.customer_id)).map((r) => r.customer_id);
  for (const account of await findAccountsByCustomerIds(tx, SYSTEM_SCOPE, existing)) out.set(account.customer_id, { account, opened: false });
  for (const customerId of existing) if (!out.has(customerId)) throw new Error(`Loyalty account of customer ${customerId} vanished`);
  return out;
}
