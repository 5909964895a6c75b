import { emit } from '@crm/events';
import { requireIdentity, runCommand, type UserError } from '@crm/service-kit';
import type { Updateable } from 'kysely';
import type { ChangeLeadStatusInput } from '../__generated__/resolvers-types.ts';
import type { EngagementContext } from '../context.ts';
import { findLeadInScope, updateLeadIfStatus } from '../db/lead.store.ts';
import type { LeadRow, LeadTable } from '../db/service-centre.tables.ts';
import { checkLeadTransition, type LeadStatus, validateLeadOutcome } from '../domain/service-centre.ts';
import { leadChanged, leadNotFound } from './service-centre-errors.ts';

export type LeadResult = { lead: LeadRow | null; userErrors: UserError[] };

/** The audited fields of a lead (the note and the outcome are free text and stay out). */
export const auditedLead = (l: LeadRow) => ({
  status: l.status,
  ownerId: l.owner_id,
  applicationId: l.application_id,
  restructuringId: l.restructuring_id,
  complaintId: l.complaint_id,
  contactedAt: l.contacted_at,
  closedAt: l.closed_at,
});

/** LeadStatusChanged of a lead that moved from `previous` (changedBy null: converted by another service's event). */
export async function emitLeadStatusChanged(tx: Parameters<typeof emit>[0], lead: LeadRow, previous: LeadStatus, changedBy: string | null, at: Date) {
  await emit(tx, 'LeadStatusChanged', {
    subject: lead.customer_id ?? lead.id,
    time: at,
    data: {
      leadId: lead.id,
      customerId: lead.customer_id,
      kind: lead.kind,
      previousStatus: previous,
      status: lead.status,
      ownerId: lead.owner_id,
      applicationId: lead.application_id,
      restructuringId: lead.restructuring_id,
      complaintId: lead.complaint_id,
      changedBy,
      changedAt: at.toISOString(),
    },
  });
}

/** Moves a lead in the caller's scope to CONTACTED or LOST (with the outcome; LOST needs one). Emits LeadStatusChanged. */
export async function changeLeadStatus(ctx: EngagementContext, input: ChangeLeadStatusInput): Promise<LeadResult> {
  const identity = requireIdentity(ctx);
  // Scope first, outside the transaction: a refusal is audited as FORBIDDEN by the access layer.
  const lead = await findLeadInScope(ctx.db, ctx.scope, input.leadId);
  return runCommand(ctx, { action: 'changeLeadStatus', entityType: 'Lead', entityId: input.leadId }, async (tx, audit): Promise<LeadResult> => {
    const outcome = validateLeadOutcome(input.status, input.outcome);
    if (!outcome.ok) return { lead: null, userErrors: outcome.errors };
    if (!lead) return { lead: null, userErrors: [leadNotFound(input.leadId)] };
    const illegal = checkLeadTransition(lead.status, input.status);
    if (illegal) return { lead: null, userErrors: [illegal] };
    const now = ctx.now();
    const patch: Updateable<LeadTable> = { status: input.status, updated_at: now };
    if (outcome.value !== null) patch.outcome = outcome.value;
    if (input.status === 'CONTACTED') patch.contacted_at = now;
    if (input.status === 'LOST') patch.closed_at = now;
    const row = await updateLeadIfStatus(tx, ctx.scope, lead.id, lead.status, patch);
    if (!row) return { lead: null, userErrors: [leadChanged] };
    await emitLeadStatusChanged(tx, row, lead.status, identity.userId, now);
    audit.changes(auditedLead(lead), auditedLead(row));
    return { lead: row, userErrors: [] };
  });
}
