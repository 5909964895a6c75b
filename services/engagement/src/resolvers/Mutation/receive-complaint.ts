import { emit } from '@crm/events';
import { requireIdentity, requireRole } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { findComplaintIdByIdempotencyKey, findComplaintSla, insertComplaint, insertComplaintHistory } from '../../db/complaint.store.ts';
import { findCustomerReplica } from '../../db/customer-replica.store.ts';
import { slaDeadlines, validateNewComplaint } from '../../domain/complaints.ts';

export const receiveComplaint: MutationResolvers['receiveComplaint'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'loan_officer', 'branch_manager', 'service_agent', 'risk_officer');
  if (input.idempotencyKey) {
    const existing = await findComplaintIdByIdempotencyKey(ctx.db, input.idempotencyKey);
    if (existing) return { complaint: await ctx.loaders.complaint.load(existing), userErrors: [] };
  }
  const now = ctx.now();
  const result = validateNewComplaint(input, now);
  if (!result.ok) return { complaint: null, userErrors: result.errors };
  const c = result.value;
  if (!(await findCustomerReplica(ctx.db, c.customerId))) {
    return { complaint: null, userErrors: [{ field: 'customerId', code: 'CUSTOMER_NOT_FOUND', message: `No customer with id ${c.customerId}` }] };
  }
  const sla = await findComplaintSla(ctx.db, c.severity);
  const due = slaDeadlines(c.receivedAt, { acknowledgeHours: sla.acknowledge_hours, resolveDays: sla.resolve_days });
  const id = uuidv7();
  await ctx.db.transaction().execute(async (tx) => {
    await insertComplaint(tx, {
      id,
      customer_id: c.customerId,
      kind: c.kind,
      category: c.category,
      severity: c.severity,
      channel: c.channel,
      description: c.description,
      status: 'RECEIVED',
      received_at: c.receivedAt,
      received_by: identity.userId,
      assignee_id: c.assigneeId,
      acknowledge_due_at: due.acknowledgeDueAt,
      resolve_due_at: due.resolveDueAt,
      acknowledged_at: null,
      resolved_at: null,
      closed_at: null,
      resolution: null,
      compensation: null,
      currency: null,
      acknowledge_escalated_at: null,
      resolve_escalated_at: null,
      idempotency_key: input.idempotencyKey ?? null,
      updated_at: now,
    });
    await insertComplaintHistory(tx, {
      id: uuidv7(),
      complaint_id: id,
      from_status: null,
      to_status: 'RECEIVED',
      note: null,
      changed_by: identity.userId,
      changed_at: now,
    });
    await emit(tx, 'ComplaintReceived', {
      subject: c.customerId,
      time: now,
      data: {
        complaintId: id,
        customerId: c.customerId,
        kind: c.kind,
        category: c.category,
        severity: c.severity,
        channel: c.channel,
        receivedAt: c.receivedAt.toISOString(),
      },
    });
  });
  return { complaint: await ctx.loaders.complaint.load(id), userErrors: [] };
};
