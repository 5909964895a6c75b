import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { insertSignalOnce } from '../db/value.store.ts';

/** The loyalty tier feeds the loyalty component from its effective date (the latest one counts); once per customer, tier and date. */
export async function recordLoyaltyTier(
  tx: Transaction<DB>,
  t: { sourceEventId: string; customerId: string; tier: string; effectiveOn: string },
): Promise<boolean> {
  return insertSignalOnce(tx, {
    event_id: t.sourceEventId,
    business_key: `TIER:${t.customerId}:${t.tier}:${t.effectiveOn}`,
    customer_id: t.customerId,
    kind: 'TIER',
    label: t.tier,
    occurred_on: t.effectiveOn,
  });
}
