import { emit } from '@crm/events';
import { findIdempotentReplay, requireIdentity, runCommand, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { RequestConsultationInput } from '../__generated__/resolvers-types.ts';
import type { EngagementContext } from '../context.ts';
import { findConsultationIdByIdempotencyKey, insertConsultation } from '../db/consultation.store.ts';
import { findCustomerReplica } from '../db/customer-replica.store.ts';
import { findDueHours, findVisibleExpert } from '../db/expert.store.ts';
import { checkExpertCanAnswer, consultationDueAt, DEFAULT_CONSULTATION_DUE_HOURS, validateNewConsultation } from '../domain/experts.ts';
import type { ConsultationResult } from './consultation-audit.ts';
import { replayed } from './replayed.ts';

/**
 * An officer asks an expert the caller may see in the directory (active, covering the field) about
 * a customer in the caller's scope (and possibly a loan); due by the field's due time from now.
 * Emits ConsultationRequested.
 */
export async function requestConsultation(ctx: EngagementContext, input: RequestConsultationInput): Promise<ConsultationResult> {
  const identity = requireIdentity(ctx);
  const result = validateNewConsultation(input);
  // Scope first, outside the transaction: a refusal is audited as FORBIDDEN by the access layer.
  const customer = result.ok ? await findCustomerReplica(ctx.db, ctx.scope, result.value.customerId) : undefined;
  const id = uuidv7();
  const done = await runCommand(
    ctx,
    { action: 'requestConsultation', entityType: 'Consultation', entityId: id },
    async (tx, audit): Promise<{ id: string | null; userErrors: UserError[] }> => {
      const replay = await findIdempotentReplay(tx, 'consultation', input.idempotencyKey, (key) => findConsultationIdByIdempotencyKey(tx, key));
      if (replay) return replayed(audit, replay);
      if (!result.ok) return { id: null, userErrors: result.errors };
      const c = result.value;
      if (!customer) return { id: null, userErrors: [{ field: 'customerId', code: 'CUSTOMER_NOT_FOUND', message: `No customer with id ${c.customerId}` }] };
      const expert = await findVisibleExpert(tx, ctx.scope, c.expertId);
      if (!expert) return { id: null, userErrors: [{ field: 'expertId', code: 'EXPERT_NOT_FOUND', message: `No expert with id ${c.expertId}` }] };
      const refused = checkExpertCanAnswer(expert, c.field);
      if (refused) return { id: null, userErrors: [refused] };
      const now = ctx.now();
      const dueHours = (await findDueHours(tx, c.field)) ?? DEFAULT_CONSULTATION_DUE_HOURS[c.field];
      const dueAt = consultationDueAt(now, dueHours);
      await insertConsultation(tx, {
        id,
        customer_id: c.customerId,
        loan_id: c.loanId,
        expert_id: expert.id,
        expert_user_id: expert.user_id,
        requester_id: identity.userId,
        field: c.field,
        question: c.question,
        status: 'OPEN',
        requested_at: now,
        due_at: dueAt,
        answer: null,
        answered_at: null,
        cancelled_at: null,
        cancelled_by: null,
        cancel_reason: null,
        idempotency_key: input.idempotencyKey ?? null,
        updated_at: now,
      });
      await emit(tx, 'ConsultationRequested', {
        subject: c.customerId,
        time: now,
        data: {
          consultationId: id,
          customerId: c.customerId,
          loanId: c.loanId,
          expertId: expert.id,
          expertUserId: expert.user_id,
          requesterId: identity.userId,
          field: c.field,
          dueAt: dueAt.toISOString(),
          requestedAt: now.toISOString(),
        },
      });
      audit.changes(null, { customerId: c.customerId, loanId: c.loanId, expertUserId: expert.user_id, field: c.field, status: 'OPEN', dueAt });
      return { id, userErrors: [] };
    },
  );
  if (!done.id) return { consultation: null, userErrors: done.userErrors };
  return { consultation: await ctx.loaders.serviceCentre.consultation.load(done.id), userErrors: [] };
}
