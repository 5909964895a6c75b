import { requireIdentity, requireRole } from '@crm/service-kit';
import type { Updateable } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { findComplaintSla, findComplaintsByIds, insertComplaintHistory, updateComplaintIfStatus } from '../../db/complaint.store.ts';
import type { ComplaintRow, ComplaintTable } from '../../db/schema.ts';
import { checkComplaintTransition, reopenedResolveDueAt } from '../../domain/complaints.ts';

export const changeComplaintStatus: MutationResolvers['changeComplaintStatus'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'loan_officer', 'branch_manager', 'service_agent', 'risk_officer');
  if (input.status === 'RESOLVED') {
    return {
      complaint: null,
      userErrors: [{ field: 'status', code: 'USE_RESOLVE_COMPLAINT', message: 'Resolve a complaint with resolveComplaint (resolution and compensation)' }],
    };
  }
  const [complaint] = await findComplaintsByIds(ctx.db, [input.complaintId]);
  if (!complaint)
    return { complaint: null, userErrors: [{ field: 'complaintId', code: 'COMPLAINT_NOT_FOUND', message: `No complaint with id ${input.complaintId}` }] };
  const illegal = checkComplaintTransition(complaint.status, input.status);
  if (illegal) return { complaint: null, userErrors: [illegal] };
  const now = ctx.now();
  const patch: Updateable<ComplaintTable> = { status: input.status, updated_at: now };
  if (input.status === 'ACKNOWLEDGED') patch.acknowledged_at = now;
  if (input.status === 'CLOSED') patch.closed_at = now;
  if (input.status === 'REOPENED') {
    const sla = await findComplaintSla(ctx.db, complaint.severity);
    Object.assign(patch, {
      reopened_count: complaint.reopened_count + 1,
      resolved_at: null,
      closed_at: null,
      resolve_due_at: reopenedResolveDueAt(now, { acknowledgeHours: sla.acknowledge_hours, resolveDays: sla.resolve_days }),
      resolve_escalated_at: null,
    });
  }
  const updated = await ctx.db.transaction().execute(async (tx): Promise<ComplaintRow | undefined> => {
    const row = await updateComplaintIfStatus(tx, complaint.id, complaint.status, patch);
    if (!row) return undefined;
    await insertComplaintHistory(tx, {
      id: uuidv7(),
      complaint_id: row.id,
      from_status: complaint.status,
      to_status: input.status,
      note: input.note?.trim() || null,
      changed_by: identity.userId,
      changed_at: now,
    });
    return row;
  });
  if (!updated)
    return {
      complaint: null,
      userErrors: [{ field: 'complaintId', code: 'COMPLAINT_CHANGED', message: 'The complaint changed meanwhile; reload it and try again' }],
    };
  return { complaint: updated, userErrors: [] };
};
