import type { EventHandler } from '@crm/events';
import { recordOfferCustomerTier } from '../db/offer.store.ts';
import type { DB } from '../db/schema.ts';

/**
 * A loyalty account's state record (loyalty's compacted `crm.loyalty.account.state.v1`): backfills
 * the customer's tier that offer rules read, for members whose tier was set before engagement (or
 * `offer_customer_fact`) existed. Newer wins, as with TierChanged (the record's time).
 */
export const onLoyaltyAccountState: EventHandler<DB, 'LoyaltyAccountState'> = async (tx, event) => {
  await recordOfferCustomerTier(tx, event.data.customerId, event.data.tier, new Date(event.time));
};
