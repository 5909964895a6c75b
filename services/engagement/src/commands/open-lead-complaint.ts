import { requireIdentity, runCommand } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { OpenLeadComplaintInput } from '../__generated__/resolvers-types.ts';
import type { EngagementContext } from '../context.ts';
import { findEnquiriesByIds } from '../db/enquiry.store.ts';
import { findLeadInScope, lockLeadInStatus, updateLeadIfStatus } from '../db/lead.store.ts';
import { SYSTEM_SCOPE } from '../db/scope.ts';
import { validateNewComplaint } from '../domain/complaints.ts';
import { WORKED_LEAD_STATUSES } from '../domain/service-centre.ts';
import { auditedLead, emitLeadStatusChanged, type LeadResult } from './change-lead-status.ts';
import { recordReceivedComplaint } from './receive-complaint.ts';
import { leadChanged, leadNotFound } from './service-centre-errors.ts';

/**
 * Opens a complaint from an open COMPLAINT lead of a customer in the caller's scope, with the rules
 * of receiveComplaint (recordReceivedComplaint: SLA clock from the severity, ComplaintReceived),
 * received now through the enquiry's channel, assigned to the lead's owner, described by the input
 * or the enquiry's question. The lead is CONVERTED with the complaint, in the same transaction.
 * Emits ComplaintReceived and LeadStatusChanged.
 */
export async function openLeadComplaint(ctx: EngagementContext, input: OpenLeadComplaintInput): Promise<LeadResult> {
  const identity = requireIdentity(ctx);
  // Scope first, outside the transaction: a refusal is audited as FORBIDDEN by the access layer.
  const lead = await findLeadInScope(ctx.db, ctx.scope, input.leadId);
  return runCommand(ctx, { action: 'openLeadComplaint', entityType: 'Lead', entityId: input.leadId }, async (tx, audit): Promise<LeadResult> => {
    if (!lead) return { lead: null, userErrors: [leadNotFound(input.leadId)] };
    if (lead.kind !== 'COMPLAINT')
      return { lead: null, userErrors: [{ field: 'leadId', code: 'NOT_A_COMPLAINT_LEAD', message: `The lead is a ${lead.kind} lead, not a COMPLAINT one` }] };
    if (!WORKED_LEAD_STATUSES.includes(lead.status))
      return {
        lead: null,
        userErrors: [{ field: 'leadId', code: 'INVALID_LEAD_TRANSITION', message: `A lead in status ${lead.status} cannot open a complaint` }],
      };
    if (!lead.customer_id)
      return { lead: null, userErrors: [{ field: 'leadId', code: 'CUSTOMER_NOT_FOUND', message: "The lead is a prospect's: register the customer first" }] };
    const [enquiry] = await findEnquiriesByIds(tx, SYSTEM_SCOPE, [lead.enquiry_id]);
    if (!enquiry) throw new Error(`lead ${lead.id} has no enquiry ${lead.enquiry_id}`);
    const now = ctx.now();
    const complaint = validateNewComplaint(
      {
        customerId: lead.customer_id,
        kind: 'COMPLAINT',
        category: input.category,
        severity: input.severity,
        channel: enquiry.channel,
        description: input.description?.trim() || enquiry.question,
        assigneeId: lead.owner_id,
        receivedAt: now,
      },
      now,
    );
    if (!complaint.ok) return { lead: null, userErrors: complaint.errors };
    const complaintId = uuidv7();
    // the lead is locked in its status first: nothing is written when it moved meanwhile (e.g. converted)
    if (!(await lockLeadInStatus(tx, lead.id, lead.status))) return { lead: null, userErrors: [leadChanged] };
    await recordReceivedComplaint(tx, complaint.value, { id: complaintId, receivedBy: identity.userId, idempotencyKey: null, now });
    const converted = await updateLeadIfStatus(tx, ctx.scope, lead.id, lead.status, {
      status: 'CONVERTED',
      complaint_id: complaintId,
      closed_at: now,
      updated_at: now,
    });
    if (!converted) throw new Error(`lead ${lead.id} changed while locked`);
    await emitLeadStatusChanged(tx, converted, lead.status, identity.userId, now);
    audit.changes(auditedLead(lead), auditedLead(converted));
    audit.detail({ complaint: { id: complaintId, category: input.category, severity: input.severity } });
    return { lead: converted, userErrors: [] };
  });
}
