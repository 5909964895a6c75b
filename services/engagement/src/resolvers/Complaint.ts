import { nestedConnection } from '@crm/service-kit';
import type { ComplaintResolvers, ComplaintSlaResolvers, ComplaintStatusChangeResolvers } from '../__generated__/resolvers-types.ts';

export const Complaint: ComplaintResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.complaint.load(ref.id),
  customer: (c) => ({ id: c.customer_id }),
  receivedAt: (c) => c.received_at,
  receivedBy: (c) => c.received_by,
  assigneeId: (c) => c.assignee_id,
  acknowledgeDueAt: (c) => c.acknowledge_due_at,
  resolveDueAt: (c) => c.resolve_due_at,
  acknowledgedAt: (c) => c.acknowledged_at,
  resolvedAt: (c) => c.resolved_at,
  closedAt: (c) => c.closed_at,
  reopenedCount: (c) => c.reopened_count,
  escalated: (c) => c.acknowledge_escalated_at !== null || c.resolve_escalated_at !== null,
  history: (c, args, ctx) => nestedConnection(ctx.loaders.historyOfComplaint, ctx.loaders.historyCount, c.id, args),
};

export const ComplaintStatusChange: ComplaintStatusChangeResolvers = {
  fromStatus: (h) => h.from_status,
  toStatus: (h) => h.to_status,
  changedBy: (h) => h.changed_by,
  changedAt: (h) => h.changed_at,
};

export const ComplaintSla: ComplaintSlaResolvers = {
  acknowledgeWithinHours: (s) => s.acknowledge_hours,
  resolveWithinDays: (s) => s.resolve_days,
};
