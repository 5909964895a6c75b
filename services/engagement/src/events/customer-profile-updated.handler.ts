import type { EventHandler } from '@crm/events';
import { applyContactChanges } from '../db/contact-replica.store.ts';
import { applyCustomerProfileChange } from '../db/customer-replica.store.ts';
import { recordCustomerPreferences } from '../db/customer-service-profile.store.ts';
import type { DB } from '../db/schema.ts';

/**
 * Keeps engagement's replica of the customer current: the branch (it decides who may see and act
 * on the customer's contacts, tasks and complaints) and the birth date (birthday greetings).
 * Idempotent: a redelivered event sets the same values, and an older change never overwrites a
 * newer one (the replica keeps the instant of the change it last applied).
 */
export const onCustomerProfileUpdated: EventHandler<DB, 'CustomerProfileUpdated'> = async (tx, event) => {
  const { customerId, changes, updatedAt } = event.data;
  // contact time, interests and education level (issue 15): for notifications, offers and care
  await recordCustomerPreferences(tx, customerId, changes, new Date(updatedAt));
  // phone, e-mail, postal address, preferred channel and language: for the notifications (issue 15)
  await applyContactChanges(tx, customerId, changes, new Date(updatedAt));
  const branch = changes.find((c) => c.field === 'branchId');
  const birth = changes.find((c) => c.field === 'individual.birthDate');
  if (!branch?.newValue && !birth) return;
  await applyCustomerProfileChange(tx, customerId, {
    ...(branch?.newValue ? { branch_id: branch.newValue } : {}),
    ...(birth ? { birth_date: birth.newValue } : {}),
    at: new Date(updatedAt),
  });
};
