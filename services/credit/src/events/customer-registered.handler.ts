import type { EventHandler } from '@crm/events';
import { upsertCustomerReplica } from '../db/customer-replica.store.ts';
import type { DB } from '../db/schema.ts';

/** Keeps the local replica of what credit needs about a customer (branch, manager, industry). */
export const onCustomerRegistered: EventHandler<DB, 'CustomerRegistered'> = async (tx, event) => {
  const c = event.data;
  await upsertCustomerReplica(tx, {
    id: c.customerId,
    display_name: c.displayName,
    kind: c.kind,
    branch_id: c.branchId,
    relationship_manager_id: c.relationshipManagerId,
    industry: c.industry,
    // the address region scopes crisis measures (issue 15)
    region: c.contact?.address?.region ?? null,
    updated_at: new Date(event.time),
  });
};
