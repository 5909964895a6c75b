import type { EventHandler } from '@crm/events';
import { updateCustomerReplica } from '../db/account.store.ts';
import type { DB } from '../db/schema.ts';

/** Keeps loyalty's replica of the customer current: the branch (programme figures) and birth date (birthday bonus). */
export const onCustomerProfileUpdated: EventHandler<DB, 'CustomerProfileUpdated'> = async (tx, event) => {
  const { customerId, changes } = event.data;
  const branch = changes.find((c) => c.field === 'branchId');
  const birth = changes.find((c) => c.field === 'individual.birthDate');
  const manager = changes.find((c) => c.field === 'relationshipManagerId');
  // Setting the new values again changes nothing: a redelivered event is harmless.
  await updateCustomerReplica(tx, customerId, {
    ...(branch?.newValue ? { branch_id: branch.newValue } : {}),
    ...(manager ? { relationship_manager_id: manager.newValue } : {}),
    ...(birth ? { birth_date: birth.newValue } : {}),
  });
};
