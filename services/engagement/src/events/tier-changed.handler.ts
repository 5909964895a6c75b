import type { EventHandler } from '@crm/events';
import { recordOfferCustomerTier } from '../db/offer.store.ts';
import type { DB } from '../db/schema.ts';

/** Keeps the customer's loyalty tier, which offer rules read (next-best offers, issue 15). Idempotent: an older change never overwrites a newer one. */
export const onTierChanged: EventHandler<DB, 'TierChanged'> = async (tx, event) => {
  await recordOfferCustomerTier(tx, event.data.customerId, event.data.tier, new Date(event.time));
};
