import type { EventHandler } from '@crm/events';
import { updateCustomerReplica } from '../db/customer-replica.store.ts';
import type { DB } from '../db/schema.ts';

/**
 * Keeps the replica's branch (which decides who may see the customer's loans) and industry
 * current. Idempotent: a redelivery writes the same values; an event older than the replica's
 * state changes nothing.
 */
export const onCustomerProfileUpdated: EventHandler<DB, 'CustomerProfileUpdated'> = async (tx, event) => {
  const changes: { branch_id?: string; industry?: string | null; region?: string | null } = {};
  for (const c of event.data.changes) {
    if (c.field === 'branchId' && c.newValue) changes.branch_id = c.newValue;
    if (c.field === 'enterprise.industry') changes.industry = c.newValue;
    // the region scopes crisis measures (issue 15)
    if (c.field === 'contact.address.region') changes.region = c.newValue;
  }
  await updateCustomerReplica(tx, event.data.customerId, changes, new Date(event.data.updatedAt));
};
