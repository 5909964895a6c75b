import type { EventHandler } from '@crm/events';
import { updateCustomerReplica } from '../db/account.store.ts';
import type { DB } from '../db/schema.ts';

/**
 * Keeps the member's relationship manager (and branch) current: a loan officer sees the members
 * assigned to them. Setting the same values again changes nothing, so a redelivery is harmless.
 */
export const onRelationshipManagerAssigned: EventHandler<DB, 'RelationshipManagerAssigned'> = async (tx, event) => {
  const { customerId, relationshipManagerId, branchId } = event.data;
  await updateCustomerReplica(tx, customerId, { relationship_manager_id: relationshipManagerId, branch_id: branchId });
};
