import type { EventHandler } from '@crm/events';
import { createPlannedTask } from '../commands/create-planned-task.ts';
import { recordRegisteredContact } from '../db/contact-replica.store.ts';
import { recordCustomerStatus, upsertCustomerReplica } from '../db/customer-replica.store.ts';
import { recordOfferCustomerKind } from '../db/offer.store.ts';
import type { DB } from '../db/schema.ts';
import { welcomeTask } from '../domain/tasks.ts';

/** Keeps the customer replica (and the first status, for the churn KPIs) and schedules the welcome contact for the relationship manager. */
export const onCustomerRegistered: EventHandler<DB, 'CustomerRegistered'> = async (tx, event) => {
  const c = event.data;
  await upsertCustomerReplica(tx, {
    id: c.customerId,
    display_name: c.displayName,
    branch_id: c.branchId,
    relationship_manager_id: c.relationshipManagerId,
    birth_date: c.birthDate,
    updated_at: new Date(event.time),
  });
  await recordCustomerStatus(tx, { eventId: event.id, customerId: c.customerId, status: c.status, at: new Date(c.registeredAt) });
  // contact details for the notifications (issue 15)
  if (c.contact) await recordRegisteredContact(tx, c.customerId, c.contact, new Date(c.registeredAt));
  // the customer kind, which offer rules read (issue 15)
  await recordOfferCustomerKind(tx, c.customerId, c.kind);
  await createPlannedTask(tx, welcomeTask(c), { sourceEventId: event.id });
};
