import { runCommand, type UserError } from '@crm/service-kit';
import type { InviteToCareEventInput } from '../__generated__/resolvers-types.ts';
import type { EngagementContext } from '../context.ts';
import { findCareEvent, findInvitedCustomerIds, insertInvitations } from '../db/care.store.ts';
import { findConsentingCustomerIds } from '../db/consent.store.ts';
import { findCustomerReplicas } from '../db/customer-replica.store.ts';
import type { CareEventRow } from '../db/schema.ts';
import { fitsCapacity } from '../domain/care.ts';
import { CARE_CONSENT_PURPOSE } from '../domain/consent.ts';

export type CareEventResult = { event: CareEventRow | null; userErrors: UserError[] };

/** Invitations are care contact: every invitee must be known, in the caller's scope and consent; otherwise nobody is invited. */
export async function inviteToCareEvent(ctx: EngagementContext, input: InviteToCareEventInput): Promise<CareEventResult> {
  const ids = [...new Set(input.customerIds)];
  // Scope first, outside the transaction: a refusal is audited as FORBIDDEN by the access layer.
  const event = await findCareEvent(ctx.db, ctx.scope, input.eventId);
  const known = new Set((await findCustomerReplicas(ctx.db, ctx.scope, ids)).map((c) => c.id));
  return runCommand(ctx, { action: 'inviteToCareEvent', entityType: 'CareEvent', entityId: input.eventId }, async (tx, audit): Promise<CareEventResult> => {
    if (!event) return { event: null, userErrors: [{ field: 'eventId', code: 'EVENT_NOT_FOUND', message: `No event with id ${input.eventId}` }] };
    const now = ctx.now();
    if (event.starts_at.getTime() <= now.getTime())
      return { event: null, userErrors: [{ field: 'eventId', code: 'EVENT_STARTED', message: 'The event has started' }] };
    const consenting = await findConsentingCustomerIds(tx, ids, CARE_CONSENT_PURPOSE);
    const errors: UserError[] = input.customerIds.flatMap((id, i) => {
      if (!known.has(id)) return [{ field: `customerIds.${i}`, code: 'CUSTOMER_NOT_FOUND', message: `No customer with id ${id}` }];
      if (!consenting.has(id)) return [{ field: `customerIds.${i}`, code: 'CONSENT_REQUIRED', message: 'The customer has not consented to contact' }];
      return [];
    });
    if (errors.length) return { event: null, userErrors: errors };
    // capacity counts every invitation, also those of customers the caller may not see
    const invited = await findInvitedCustomerIds(tx, { kind: 'all' }, event.id);
    const fresh = ids.filter((id) => !invited.has(id));
    if (!fitsCapacity(event.capacity, invited.size, fresh.length)) {
      return {
        event: null,
        userErrors: [{ field: 'customerIds', code: 'CAPACITY_EXCEEDED', message: `The event seats ${event.capacity}; ${invited.size} invited already` }],
      };
    }
    await insertInvitations(tx, event.id, fresh, now);
    audit.detail({ invited: fresh.length });
    return { event, userErrors: [] };
  });
}
