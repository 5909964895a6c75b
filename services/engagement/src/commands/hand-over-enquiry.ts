import { emit } from '@crm/events';
import { requireIdentity, runCommand, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { HandOverEnquiryInput } from '../__generated__/resolvers-types.ts';
import type { EngagementContext } from '../context.ts';
import { findRelationshipManagerId } from '../db/customer-replica.store.ts';
import { findEnquiryInScope, updateEnquiryIfStatus } from '../db/enquiry.store.ts';
import { insertLead } from '../db/lead.store.ts';
import type { EnquiryRow, LeadRow } from '../db/service-centre.tables.ts';
import { checkEnquiryOpen, type LeadKind } from '../domain/service-centre.ts';
import { enquiryChanged, enquiryNotFound } from './service-centre-errors.ts';

export type HandOverResult = { enquiry: EnquiryRow | null; lead: LeadRow | null; userErrors: UserError[] };

/**
 * Hands an open enquiry in the caller's scope over as a lead: owned by the customer's relationship
 * manager from the replica (or the owner named; a prospect's lead needs one), OPEN. The enquiry is
 * HANDED_OVER. Emits LeadCreated (subject: the customer, else the lead).
 */
export async function handOverEnquiry(ctx: EngagementContext, input: HandOverEnquiryInput): Promise<HandOverResult> {
  const identity = requireIdentity(ctx);
  // Scope first, outside the transaction: a refusal is audited as FORBIDDEN by the access layer.
  const enquiry = await findEnquiryInScope(ctx.db, ctx.scope, input.enquiryId);
  const leadId = uuidv7();
  const done = await runCommand(
    ctx,
    { action: 'handOverEnquiry', entityType: 'Lead', entityId: leadId },
    async (tx, audit): Promise<{ enquiry: EnquiryRow | null; userErrors: UserError[] }> => {
      const note = input.note?.trim() || null;
      if (note && note.length > 2000) return { enquiry: null, userErrors: [{ field: 'note', code: 'TOO_BIG', message: 'must be at most 2000 characters' }] };
      const kind: LeadKind = input.kind;
      if (!enquiry) return { enquiry: null, userErrors: [enquiryNotFound(input.enquiryId)] };
      const closed = checkEnquiryOpen(enquiry.status);
      if (closed) return { enquiry: null, userErrors: [closed] };
      const ownerId = input.ownerId?.trim() || (enquiry.customer_id ? await findRelationshipManagerId(tx, enquiry.customer_id) : null);
      if (!ownerId) {
        const message = enquiry.customer_id ? 'The customer has no relationship manager: name the owner' : "A prospect's lead needs an owner";
        return { enquiry: null, userErrors: [{ field: 'ownerId', code: 'REQUIRED', message }] };
      }
      const now = ctx.now();
      const row = await updateEnquiryIfStatus(tx, ctx.scope, enquiry.id, 'OPEN', { status: 'HANDED_OVER', updated_at: now });
      if (!row) return { enquiry: null, userErrors: [enquiryChanged] };
      await insertLead(tx, {
        id: leadId,
        enquiry_id: row.id,
        customer_id: row.customer_id,
        branch_id: row.branch_id,
        kind,
        owner_id: ownerId,
        status: 'OPEN',
        note,
        outcome: null,
        application_id: null,
        restructuring_id: null,
        complaint_id: null,
        created_by: identity.userId,
        created_at: now,
        contacted_at: null,
        closed_at: null,
        updated_at: now,
      });
      await emit(tx, 'LeadCreated', {
        subject: row.customer_id ?? leadId,
        time: now,
        data: {
          leadId,
          enquiryId: row.id,
          customerId: row.customer_id,
          kind,
          ownerId,
          branchId: row.branch_id,
          createdBy: identity.userId,
          createdAt: now.toISOString(),
        },
      });
      // the note is free text: it stays out of the audit record
      audit.changes(null, { enquiryId: row.id, customerId: row.customer_id, kind, ownerId, status: 'OPEN' });
      audit.detail({ enquiryStatus: 'HANDED_OVER' });
      return { enquiry: row, userErrors: [] };
    },
  );
  if (!done.enquiry) return { enquiry: null, lead: null, userErrors: done.userErrors };
  return { enquiry: done.enquiry, lead: await ctx.loaders.serviceCentre.lead.load(leadId), userErrors: [] };
}
