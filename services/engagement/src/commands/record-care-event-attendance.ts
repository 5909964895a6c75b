import { runCommand } from '@crm/service-kit';
import type { RecordCareEventAttendanceInput } from '../__generated__/resolvers-types.ts';
import type { EngagementContext } from '../context.ts';
import { findCareEvent, findInvitedCustomerIds, recordAttendance } from '../db/care.store.ts';
import { missingIds } from '../domain/audience.ts';
import type { CareEventResult } from './invite-to-care-event.ts';

/**
 * After the event (of a branch in the caller's scope): the listed guests attended, the other invitees
 * in the caller's scope did not come; invitations of customers outside the scope are left unchanged.
 */
export async function recordCareEventAttendance(ctx: EngagementContext, input: RecordCareEventAttendanceInput): Promise<CareEventResult> {
  // Scope first, outside the transaction: a refusal is audited as FORBIDDEN by the access layer.
  const event = await findCareEvent(ctx.db, ctx.scope, input.eventId);
  return runCommand(
    ctx,
    { action: 'recordCareEventAttendance', entityType: 'CareEvent', entityId: input.eventId },
    async (tx, audit): Promise<CareEventResult> => {
      if (!event) return { event: null, userErrors: [{ field: 'eventId', code: 'EVENT_NOT_FOUND', message: `No event with id ${input.eventId}` }] };
      const now = ctx.now();
      if (event.starts_at.getTime() > now.getTime())
        return { event: null, userErrors: [{ field: 'eventId', code: 'EVENT_NOT_STARTED', message: 'Attendance is recorded once the event started' }] };
      // only the invitations of customers in the caller's scope can be marked as attended
      const invited = await findInvitedCustomerIds(tx, ctx.scope, event.id);
      const errors = missingIds('attendedCustomerIds', input.attendedCustomerIds, invited, 'NOT_INVITED', (id) => `Customer ${id} was not invited`);
      if (errors.length) return { event: null, userErrors: errors };
      const attended = [...new Set(input.attendedCustomerIds)];
      // only in-scope invitations change: guests of other branches are left for their own staff
      const counts = await recordAttendance(tx, ctx.scope, event.id, attended, now);
      audit.detail(counts);
      return { event, userErrors: [] };
    },
  );
}
