import { requireIdentity, requireRole, type UserError } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { findCareEvent, findInvitationsOfEvents, insertInvitations } from '../../db/care.store.ts';
import { findConsentingCustomerIds } from '../../db/consent.store.ts';
import { findCustomerReplicas } from '../../db/customer-replica.store.ts';
import { fitsCapacity } from '../../domain/care.ts';
import { CARE_CONSENT_PURPOSE } from '../../domain/consent.ts';

/** Invitations are care contact: every invitee must be known and consent; otherwise nobody is invited. */
export const inviteToCareEvent: MutationResolvers['inviteToCareEvent'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'branch_manager', 'service_agent', 'loan_officer');
  const event = await findCareEvent(ctx.db, input.eventId);
  if (!event) return { event: null, userErrors: [{ field: 'eventId', code: 'EVENT_NOT_FOUND', message: `No event with id ${input.eventId}` }] };
  const now = ctx.now();
  if (event.starts_at.getTime() <= now.getTime())
    return { event: null, userErrors: [{ field: 'eventId', code: 'EVENT_STARTED', message: 'The event has started' }] };
  const ids = [...new Set(input.customerIds)];
  const known = new Set((await findCustomerReplicas(ctx.db, ids)).map((c) => c.id));
  const consenting = await findConsentingCustomerIds(ctx.db, ids, CARE_CONSENT_PURPOSE);
  const errors: UserError[] = input.customerIds.flatMap((id, i) => {
    if (!known.has(id)) return [{ field: `customerIds.${i}`, code: 'CUSTOMER_NOT_FOUND', message: `No customer with id ${id}` }];
    if (!consenting.has(id)) return [{ field: `customerIds.${i}`, code: 'CONSENT_REQUIRED', message: 'The customer has not consented to contact' }];
    return [];
  });
  if (errors.length) return { event: null, userErrors: errors };
  const invited = new Set((await findInvitationsOfEvents(ctx.db, [event.id])).map((i) => i.customer_id));
  const fresh = ids.filter((id) => !invited.has(id));
  if (!fitsCapacity(event.capacity, invited.size, fresh.length)) {
    return {
      event: null,
      userErrors: [{ field: 'customerIds', code: 'CAPACITY_EXCEEDED', message: `The event seats ${event.capacity}; ${invited.size} invited already` }],
    };
  }
  await insertInvitations(ctx.db, event.id, fresh, now);
  return { event, userErrors: [] };
};
