import type { EventHandler } from '@crm/events';
import { updateCustomerReplica } from '../db/customer-replica.store.ts';
import type { DB } from '../db/schema.ts';

/** A loan officer sees the loans of the customers assigned to them: the replica follows the assignment (idempotent). */
export const onRelationshipManagerAssigned: EventHandler<DB, 'RelationshipManagerAssigned'> = async (tx, event) => {
  const a = event.data;
  await updateCustomerReplica(tx, a.customerId, { relationship_manager_id: a.relationshipManagerId, branch_id: a.branchId }, new Date(a.assignedAt));
};
