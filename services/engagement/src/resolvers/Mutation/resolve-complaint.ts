import { emit } from '@crm/events';
import { requireIdentity, requireRole } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { findComplaintsByIds, insertComplaintHistory, updateComplaintIfStatus } from '../../db/complaint.store.ts';
import type { ComplaintRow } from '../../db/schema.ts';
import { dispatchTriggeredSurvey } from '../../db/survey.store.ts';
import { checkComplaintTransition, resolvedWithinSla, validateResolution } from '../../domain/complaints.ts';

export const resolveComplaint: MutationResolvers['resolveComplaint'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'loan_officer', 'branch_manager', 'service_agent', 'risk_officer');
  const result = validateResolution(input);
  if (!result.ok) return { complaint: null, userErrors: result.errors };
  const [complaint] = await findComplaintsByIds(ctx.db, [input.complaintId]);
  if (!complaint)
    return { complaint: null, userErrors: [{ field: 'complaintId', code: 'COMPLAINT_NOT_FOUND', message: `No complaint with id ${input.complaintId}` }] };
  const illegal = checkComplaintTransition(complaint.status, 'RESOLVED', 'complaintId');
  if (illegal) return { complaint: null, userErrors: [illegal] };
  const now = ctx.now();
  const r = result.value;
  const resolved = await ctx.db.transaction().execute(async (tx): Promise<ComplaintRow | undefined> => {
    const row = await updateComplaintIfStatus(tx, complaint.id, complaint.status, {
      status: 'RESOLVED',
      resolved_at: now,
      resolution: r.resolution,
      compensation: r.compensation,
      currency: r.currency,
      updated_at: now,
    });
    if (!row) return undefined;
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
        id: uuidv7(),
        trigger: 'AFTER_COMPLAINT_RESOLUTION',
        customerId: row.customer_id,
        sourceKey: `COMPLAINT:${row.id}:${row.reopened_count}`,
        at: now,
      });
    }
    return row;
  });
  if (!resolved)
    return {
      complaint: null,
      userErrors: [{ field: 'complaintId', code: 'COMPLAINT_CHANGED', message: 'The complaint changed meanwhile; reload it and try again' }],
    };
  return { complaint: resolved, userErrors: [] };
};
