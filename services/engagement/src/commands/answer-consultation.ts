import { emit } from '@crm/events';
import { requireIdentity, runCommand } from '@crm/service-kit';
import type { AnswerConsultationInput } from '../__generated__/resolvers-types.ts';
import type { EngagementContext } from '../context.ts';
import { findConsultationForViewer, updateConsultationIfStatus } from '../db/consultation.store.ts';
import { answeredWithinDue, checkConsultationOpen } from '../domain/experts.ts';
import { auditedConsultation, type ConsultationResult } from './consultation-audit.ts';
import { consultationChanged, consultationNotFound } from './service-centre-errors.ts';

/** The expert asked answers an open consultation (whatever the customer's branch: they were asked). Emits ConsultationAnswered. */
export async function answerConsultation(ctx: EngagementContext, input: AnswerConsultationInput): Promise<ConsultationResult> {
  const identity = requireIdentity(ctx);
  // Scope first, outside the transaction: a refusal is audited as FORBIDDEN by the access layer.
  const before = await findConsultationForViewer(ctx.db, { scope: ctx.scope, userId: identity.userId }, input.consultationId);
  return runCommand(ctx, { action: 'answerConsultation', entityType: 'Consultation', entityId: input.consultationId }, async (tx, audit) => {
    const answer = input.answer.trim();
    if (!answer) return { consultation: null, userErrors: [{ field: 'answer', code: 'TOO_SMALL', message: 'must not be blank' }] };
    if (!before) return { consultation: null, userErrors: [consultationNotFound(input.consultationId)] };
    if (before.expert_user_id !== identity.userId)
      return { consultation: null, userErrors: [{ field: 'consultationId', code: 'NOT_THE_EXPERT', message: 'Only the expert asked answers a consultation' }] };
    const closed = checkConsultationOpen(before.status);
    if (closed) return { consultation: null, userErrors: [closed] };
    const now = ctx.now();
    const row = await updateConsultationIfStatus(tx, before.id, 'OPEN', { status: 'ANSWERED', answer, answered_at: now, updated_at: now });
    if (!row) return { consultation: null, userErrors: [consultationChanged] };
    await emit(tx, 'ConsultationAnswered', {
      subject: row.customer_id,
      time: now,
      data: {
        consultationId: row.id,
        customerId: row.customer_id,
        expertUserId: row.expert_user_id,
        requesterId: row.requester_id,
        field: row.field,
        answeredAt: now.toISOString(),
        withinDue: answeredWithinDue(now, row.due_at),
      },
    });
    audit.changes(auditedConsultation(before), auditedConsultation(row));
    return { consultation: row, userErrors: [] };
  });
}
