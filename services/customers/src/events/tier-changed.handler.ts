import type { EventHandler } from '@crm/events';
import type { DB } from '../db/schema.ts';
import { insertSignalOnce } from '../db/value.store.ts';

/** The loyalty tier feeds the loyalty component from its effective date. */
export const onTierChanged: EventHandler<DB, 'TierChanged'> = async (tx, event) => {
  const e = event.data;
  await insertSignalOnce(tx, { event_id: event.id, customer_id: e.customerId, kind: 'TIER', label: e.tier, occurred_on: e.effectiveOn });
};
