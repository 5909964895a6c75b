import type { EventHandler } from '@crm/events';
import { applyContactChanges } from '../db/contact-replica.store.ts';
import { recordCustomerCareNeeds, recordCustomerGrade, recordCustomerPreferences } from '../db/customer-service-profile.store.ts';
import { applyCustomerStateReplica, fillConsents, fillCustomerStatus } from '../db/customer-state.store.ts';
import { recordOfferCustomerKind } from '../db/offer.store.ts';
import type { DB } from '../db/schema.ts';

/**
 * A customer's state record (customers' compacted state topic): backfills and refreshes every
 * replica engagement keeps of the customer, so that a customer registered before engagement (or
 * before one of its replicas) existed is known: branch and relationship manager (scope, tasks),
 * contact details and preferred channel and language (notifications), grade, care needs and
 * preferences (service levels, offers), consents, status, kind (offer rules). Each part applies
 * only when newer than the one held (the record's time); consents and the status only fill a gap.
 * Nothing is planned from it (no welcome task): that is CustomerRegistered's. The address is not
 * in the state record: letters need the next profile change.
 */
export const onCustomerState: EventHandler<DB, 'CustomerState'> = async (tx, event) => {
  const c = event.data;
  const at = new Date(event.time);
  await applyCustomerStateReplica(tx, {
    id: c.customerId,
    display_name: c.displayName,
    branch_id: c.branchId,
    relationship_manager_id: c.relationshipManagerId,
    birth_date: c.birthDate,
    updated_at: at,
  });
  await applyContactChanges(
    tx,
    c.customerId,
    [
      { field: 'contact.phone', newValue: c.contact.phone },
      { field: 'contact.email', newValue: c.contact.email },
      { field: 'contact.preferredChannel', newValue: c.preferredChannel },
      { field: 'contact.preferredLanguage', newValue: c.preferredLanguage },
    ],
    at,
  );
  if (c.grade) await recordCustomerGrade(tx, c.customerId, c.grade, at);
  await recordCustomerCareNeeds(tx, c.customerId, c.specialCare, at);
  await recordCustomerPreferences(
    tx,
    c.customerId,
    [
      { field: 'preferences.contactTime', newValue: c.contactTime },
      { field: 'preferences.interests', newValue: c.interests.length ? c.interests.join(', ') : null },
      { field: 'preferences.educationLevel', newValue: c.educationLevel },
    ],
    at,
  );
  await fillConsents(tx, c.customerId, c.consents, at);
  await fillCustomerStatus(tx, { eventId: event.id, customerId: c.customerId, status: c.status, at: new Date(c.registeredAt) });
  await recordOfferCustomerKind(tx, c.customerId, c.kind);
};
