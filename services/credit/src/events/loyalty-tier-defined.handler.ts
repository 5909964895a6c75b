import type { EventHandler } from '@crm/events';
import type { DB } from '../db/schema.ts';
import { recordTierDefinition } from '../db/tier-replica.store.ts';

/**
 * A tier's terms changed in loyalty: its new rate discount reaches every customer holding it (for
 * their next application). Idempotent: an older definition changes nothing.
 */
export const onLoyaltyTierDefined: EventHandler<DB, 'LoyaltyTierDefined'> = async (tx, event) => {
  await recordTierDefinition(tx, { tier: event.data.tier, rateDiscountBps: event.data.rateDiscountBps, at: new Date(event.time) });
};
