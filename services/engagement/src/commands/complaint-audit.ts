import type { UserError } from '@crm/service-kit';
import type { ComplaintRow } from '../db/schema.ts';

/** The audited fields of a complaint (the description, resolution and notes are free text and stay out). */
export const auditedComplaint = (c: ComplaintRow) => ({
  status: c.status,
  acknowledgedAt: c.acknowledged_at,
  resolvedAt: c.resolved_at,
  closedAt: c.closed_at,
  resolveDueAt: c.resolve_due_at,
  reopenedCount: c.reopened_count,
  compensation: c.compensation,
  currency: c.currency,
});

export const complaintChanged: UserError = {
  field: 'complaintId',
  code: 'COMPLAINT_CHANGED',
  message: 'The complaint changed meanwhile; reload it and try again',
};
