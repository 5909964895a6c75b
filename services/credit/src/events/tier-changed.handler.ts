import type { EventHandler } from '@crm/events';
import type { DB } from '../db/schema.ts';
import { recordCustomerTier } from '../db/tier-replica.store.ts';

/**
 * Keeps credit's replica of the customer's loyalty tier and its rate discount (applied to the
 * customer's next loan application, domain/pricing.ts). Idempotent: an event older than the
 * replica's state changes nothing; a redelivery writes the same values.
 */
export const onTierChanged: EventHandler<DB, 'TierChanged'> = async (tx, event) => {
  const t = event.data;
  await recordCustomerTier(tx, {
    customerId: t.customerId,
    tier: t.tier,
    rateDiscountBps: t.rateDiscountBps ?? null,
    effectiveOn: t.effectiveOn,
    at: new Date(event.time),
  });
};
