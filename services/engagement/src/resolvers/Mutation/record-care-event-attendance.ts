import { requireIdentity, requireRole } from '@crm/service-kit';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { findCareEvent, findInvitationsOfEvents, recordAttendance } from '../../db/care.store.ts';
import { missingIds } from '../../domain/audience.ts';

/** After the event: the listed guests attended, the other invitees did not come. */
export const recordCareEventAttendance: MutationResolvers['recordCareEventAttendance'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'branch_manager', 'service_agent', 'loan_officer');
  const event = await findCareEvent(ctx.db, input.eventId);
  if (!event) return { event: null, userErrors: [{ field: 'eventId', code: 'EVENT_NOT_FOUND', message: `No event with id ${input.eventId}` }] };
  const now = ctx.now();
  if (event.starts_at.getTime() > now.getTime())
    return { event: null, userErrors: [{ field: 'eventId', code: 'EVENT_NOT_STARTED', message: 'Attendance is recorded once the event started' }] };
  const invited = new Set((await findInvitationsOfEvents(ctx.db, [event.id])).map((i) => i.customer_id));
  const errors = missingIds('attendedCustomerIds', input.attendedCustomerIds, invited, 'NOT_INVITED', (id) => `Customer ${id} was not invited`);
  if (errors.length) return { event: null, userErrors: errors };
  await recordAttendance(ctx.db, event.id, [...new Set(input.attendedCustomerIds)], now);
  return { event, userErrors: [] };
};
