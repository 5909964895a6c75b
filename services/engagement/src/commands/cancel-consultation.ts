import { emit } from '@crm/events';
import { requireIdentity, runCommand } from '@crm/service-kit';
import type { CancelConsultationInput } from '../__generated__/resolvers-types.ts';
import type { EngagementContext } from '../context.ts';
import { findConsultationForViewer, updateConsultationIfStatus } from '../db/consultation.store.ts';
import { assertCustomerInScope } from '../db/scope.ts';
import { checkConsultationOpen } from '../domain/experts.ts';
import { auditedConsultation, type ConsultationResult } from './consultation-audit.ts';
import { consultationChanged, consultationNotFound } from './service-centre-errors.ts';

/**
 * Withdraws an open consultation: its requester, or staff whose branch scope holds the customer
 * (FORBIDDEN otherwise, e.g. for an expert of another branch). Emits ConsultationCancelled.
 */
export async function cancelConsultation(ctx: EngagementContext, input: CancelConsultationInput): Promise<ConsultationResult> {
  const identity = requireIdentity(ctx);
  // Scope first, outside the transaction: a refusal is audited as FORBIDDEN by the access layer.
  const before = await findConsultationForViewer(ctx.db, { scope: ctx.scope, userId: identity.userId }, input.consultationId);
  if (before && before.requester_id !== identity.userId) await assertCustomerInScope(ctx.db, ctx.scope, before.customer_id, 'consultation');
  return runCommand(ctx, { action: 'cancelConsultation', entityType: 'Consultation', entityId: input.consultationId }, async (tx, audit) => {
    const reason = input.reason?.trim() || null;
    if (reason && reason.length > 2000)
      return { consultation: null, userErrors: [{ field: 'reason', code: 'TOO_BIG', message: 'must be at most 2000 characters' }] };
    if (!before) return { consultation: null, userErrors: [consultationNotFound(input.consultationId)] };
    const closed = checkConsultationOpen(before.status);
    if (closed) return { consultation: null, userErrors: [closed] };
    const now = ctx.now();
    const row = await updateConsultationIfStatus(tx, before.id, 'OPEN', {
      status: 'CANCELLED',
      cancelled_at: now,
      cancelled_by: identity.userId,
      cancel_reason: reason,
      updated_at: now,
    });
    if (!row) return { consultation: null, userErrors: [consultationChanged] };
    await emit(tx, 'ConsultationCancelled', {
      subject: row.customer_id,
      time: now,
      data: {
        consultationId: row.id,
        customerId: row.customer_id,
        expertUserId: row.expert_user_id,
        cancelledBy: identity.userId,
        cancelledAt: now.toISOString(),
      },
    });
    audit.changes(auditedConsultation(before), auditedConsultation(row));
    return { consultation: row, userErrors: [] };
  });
}
