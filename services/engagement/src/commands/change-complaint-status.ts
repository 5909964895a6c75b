import { emit } from '@crm/events';
import { requireIdentity, runCommand } from '@crm/service-kit';
import type { Updateable } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { ChangeComplaintStatusInput } from '../__generated__/resolvers-types.ts';
import type { EngagementContext } from '../context.ts';
import { findComplaintInScope, findComplaintSla, insertComplaintHistory, updateComplaintIfStatus } from '../db/complaint.store.ts';
import type { ComplaintTable } from '../db/schema.ts';
import { findServiceLevelOf } from '../db/service-level.store.ts';
import { checkComplaintTransition, reopenedResolveDueAt } from '../domain/complaints.ts';
import { scaleComplaintSla } from '../domain/service-levels.ts';
import { auditedComplaint, complaintChanged } from './complaint-audit.ts';
import type { ComplaintResult } from './receive-complaint.ts';

/** Moves a complaint of a customer in the caller's scope along its workflow (acknowledge, start, close, reopen). */
export async function changeComplaintStatus(ctx: EngagementContext, input: ChangeComplaintStatusInput): Promise<ComplaintResult> {
  const identity = requireIdentity(ctx);
  // Scope first, outside the transaction: a refusal is audited as FORBIDDEN by the access layer.
  const complaint = input.status === 'RESOLVED' ? undefined : await findComplaintInScope(ctx.db, ctx.scope, input.complaintId);
  return runCommand(
    ctx,
    { action: 'changeComplaintStatus', entityType: 'Complaint', entityId: input.complaintId },
    async (tx, audit): Promise<ComplaintResult> => {
      if (input.status === 'RESOLVED') {
        return {
          complaint: null,
          userErrors: [{ field: 'status', code: 'USE_RESOLVE_COMPLAINT', message: 'Resolve a complaint with resolveComplaint (resolution and compensation)' }],
        };
      }
      if (!complaint)
        return { complaint: null, userErrors: [{ field: 'complaintId', code: 'COMPLAINT_NOT_FOUND', message: `No complaint with id ${input.complaintId}` }] };
      const illegal = checkComplaintTransition(complaint.status, input.status);
      if (illegal) return { complaint: null, userErrors: [illegal] };
      const now = ctx.now();
      const patch: Updateable<ComplaintTable> = { status: input.status, updated_at: now };
      if (input.status === 'ACKNOWLEDGED') patch.acknowledged_at = now;
      if (input.status === 'CLOSED') patch.closed_at = now;
      if (input.status === 'REOPENED') {
        const sla = await findComplaintSla(tx, complaint.severity);
        // the customer's service level (grade, special care) keeps its share of the SLA
        const level = await findServiceLevelOf(tx, complaint.customer_id);
        Object.assign(patch, {
          reopened_count: complaint.reopened_count + 1,
          resolved_at: null,
          closed_at: null,
          resolve_due_at: reopenedResolveDueAt(
            now,
            scaleComplaintSla({ acknowledgeHours: sla.acknowledge_hours, resolveDays: sla.resolve_days }, level.complaintSlaPercent),
          ),
          resolve_escalated_at: null,
        });
      }
      const row = await updateComplaintIfStatus(tx, ctx.scope, complaint.id, complaint.status, patch);
      if (!row) return { complaint: null, userErrors: [complaintChanged] };
      await insertComplaintHistory(tx, {
        id: uuidv7(),
        complaint_id: row.id,
        from_status: complaint.status,
        to_status: input.status,
        note: input.note?.trim() || null,
        changed_by: identity.userId,
        changed_at: now,
      });
      audit.changes(auditedComplaint(complaint), auditedComplaint(row));
      await emit(tx, 'ComplaintStatusChanged', {
        subject: row.customer_id,
        time: now,
        data: {
          complaintId: row.id,
          customerId: row.customer_id,
          severity: row.severity,
          previousStatus: complaint.status,
          status: input.status,
          changedBy: identity.userId,
          changedAt: now.toISOString(),
          reopenedCount: row.reopened_count,
        },
      });
      return { complaint: row, userErrors: [] };
    },
  );
}
