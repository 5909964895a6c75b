import type { EventHandler } from '@crm/events';
import { reassignOpenTasks } from '../commands/reassign-open-tasks.ts';
import { reassignWorkedLeads } from '../commands/reassign-worked-leads.ts';
import { findRelationshipManagerId, setRelationshipManager } from '../db/customer-replica.store.ts';
import type { DB } from '../db/schema.ts';

/** The new manager takes over the customer, and the open tasks and worked leads the previous manager held. */
export const onRelationshipManagerAssigned: EventHandler<DB, 'RelationshipManagerAssigned'> = async (tx, event) => {
  const a = event.data;
  const held = await findRelationshipManagerId(tx, a.customerId);
  await setRelationshipManager(tx, a.customerId, a.relationshipManagerId, a.branchId, new Date(a.assignedAt));
  await reassignOpenTasks(tx, {
    customerId: a.customerId,
    previousManagerId: a.previousRelationshipManagerId ?? held,
    managerId: a.relationshipManagerId,
    at: new Date(a.assignedAt),
  });
  // and the service centre's leads still being worked (issue 15)
  await reassignWorkedLeads(tx, {
    customerId: a.customerId,
    previousManagerId: a.previousRelationshipManagerId ?? held,
    managerId: a.relationshipManagerId,
    at: new Date(a.assignedAt),
  });
};
