import type { EventHandler } from '@crm/events';
import { recordLoyaltyTier } from '../commands/record-loyalty-tier.ts';
import type { DB } from '../db/schema.ts';

export const onTierChanged: EventHandler<DB, 'TierChanged'> = async (tx, event) => {
  const { customerId, tier, effectiveOn } = event.data;
  await recordLoyaltyTier(tx, { sourceEventId: event.id, customerId, tier, effectiveOn });
};
