import type { EventHandler } from '@crm/events';
import { updateCustomerReplica } from '../db/account.store.ts';
import type { DB } from '../db/schema.ts';

/** Keeps loyalty's replica of the customer current: the branch (programme figures) and birth date (birthday bonus). */
export const onCustomerProfileUpdated: EventHandler<DB, 'CustomerProfileUpdated'> = async (tx, event) => {
  const { customerId, changes } = event.data;
  const branch = changes.find((c) => c.field === 'branchId');
  const birth = changes.find((c) => c.field === 'individual.birthDate');
  await updateCustomerReplica(tx, customerId, {
    ...(branch?.newValue ? { branch_id: branch.newValue } : {}),
    ...(birth ? { birth_date: birth.newValue } : {}),
  });
};
