import { emit } from '@crm/events';
import { requireIdentity, runCommand } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { ResolveComplaintInput } from '../__generated__/resolvers-types.ts';
import type { EngagementContext } from '../context.ts';
import { findComplaintInScope, insertComplaintHistory, updateComplaintIfStatus } from '../db/complaint.store.ts';
import { checkComplaintTransition, resolvedWithinSla, validateResolution } from '../domain/complaints.ts';
import { auditedComplaint, complaintChanged } from './complaint-audit.ts';
import { dispatchTriggeredSurvey } from './dispatch-triggered-survey.ts';
import type { ComplaintResult } from './receive-complaint.ts';

/** Resolves a complaint of a customer in the caller's scope with its resolution and compensation; a satisfaction survey follows. Emits ComplaintResolved. */
export async function resolveComplaint(ctx: EngagementContext, input: ResolveComplaintInput): Promise<ComplaintResult> {
  const identity = requireIdentity(ctx);
  const result = validateResolution(input);
  // Scope first, outside the transaction: a refusal is audited as FORBIDDEN by the access layer.
  const complaint = result.ok ? await findComplaintInScope(ctx.db, ctx.scope, input.complaintId) : undefined;
  return runCommand(ctx, { action: 'resolveComplaint', entityType: 'Complaint', entityId: input.complaintId }, async (tx, audit): Promise<ComplaintResult> => {
    if (!result.ok) return { complaint: null, userErrors: result.errors };
    if (!complaint)
      return { complaint: null, userErrors: [{ field: 'complaintId', code: 'COMPLAINT_NOT_FOUND', message: `No complaint with id ${input.complaintId}` }] };
    const illegal = checkComplaintTransition(complaint.status, 'RESOLVED', 'complaintId');
    if (illegal) return { complaint: null, userErrors: [illegal] };
    const now = ctx.now();
    const r = result.value;
    const row = await updateComplaintIfStatus(tx, ctx.scope, complaint.id, complaint.status, {
      status: 'RESOLVED',
      resolved_at: now,
      resolution: r.resolution,
      compensation: r.compensation,
      currency: r.currency,
      updated_at: now,
    });
    if (!row) return { complaint: null, userErrors: [complaintChanged] };
    await insertComplaintHistory(tx, {
      id: uuidv7(),
      complaint_id: row.id,
      from_status: complaint.status,
      to_status: 'RESOLVED',
      note: r.resolution,
      changed_by: identity.userId,
      changed_at: now,
    });
    await emit(tx, 'ComplaintResolved', {
      subject: row.customer_id,
      time: now,
      data: {
        complaintId: row.id,
        customerId: row.customer_id,
        category: row.category,
        severity: row.severity,
        resolvedAt: now.toISOString(),
        withinSla: resolvedWithinSla(now, row.resolve_due_at),
        compensation: r.compensation,
        currency: r.currency,
      },
    });
    // The satisfaction check after resolution (complaints only; once per resolution).
    if (row.kind === 'COMPLAINT') {
      await dispatchTriggeredSurvey(tx, {
        trigger: 'AFTER_COMPLAINT_RESOLUTION',
        customerId: row.customer_id,
        sourceKey: `COMPLAINT:${row.id}:${row.reopened_count}`,
        at: now,
      });
    }
    audit.changes(auditedComplaint(complaint), auditedComplaint(row));
    return { complaint: row, userErrors: [] };
  });
}
