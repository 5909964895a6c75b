import { emit } from '@crm/events';
import { requireIdentity, requireRole } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { hasConsent } from '../../db/consent.store.ts';
import { findCustomerReplica } from '../../db/customer-replica.store.ts';
import { findInteractionIdByIdempotencyKey, insertInteraction } from '../../db/interaction.store.ts';
import { requiredConsent } from '../../domain/consent.ts';
import { validateInteraction } from '../../domain/interactions.ts';

export const logInteraction: MutationResolvers['logInteraction'] = async (_parent, { input }, ctx) => {
  const identity = requireIdentity(ctx);
  requireRole(identity, 'loan_officer', 'branch_manager', 'service_agent', 'risk_officer');

  if (input.idempotencyKey) {
    const existing = await findInteractionIdByIdempotencyKey(ctx.db, input.idempotencyKey);
    if (existing) return { interaction: await ctx.loaders.interaction.load(existing), userErrors: [] };
  }
  const now = ctx.now();
  const result = validateInteraction(input, now);
  if (!result.ok) return { interaction: null, userErrors: result.errors };
  const i = result.value;
  if (!(await findCustomerReplica(ctx.db, i.customerId))) {
    return { interaction: null, userErrors: [{ field: 'customerId', code: 'CUSTOMER_NOT_FOUND', message: `No customer with id ${i.customerId}` }] };
  }
  const consent = requiredConsent(i.purpose);
  if (consent && !(await hasConsent(ctx.db, i.customerId, consent))) {
    return {
      interaction: null,
      userErrors: [{ field: 'purpose', code: 'CONSENT_REQUIRED', message: `The customer has not consented to ${consent.toLowerCase().replace('_', ' ')}` }],
    };
  }

  const id = uuidv7();
  await ctx.db.transaction().execute(async (tx) => {
    await insertInteraction(tx, {
      id,
      customer_id: i.customerId,
      channel: i.channel,
      direction: i.direction,
      purpose: i.purpose,
      summary: i.summary,
      outcome: i.outcome,
      staff_id: identity.userId,
      occurred_at: i.occurredAt,
      recorded_at: now,
      idempotency_key: input.idempotencyKey ?? null,
    });
    await emit(tx, 'InteractionLogged', {
      subject: i.customerId,
      time: now,
      data: {
        interactionId: id,
        customerId: i.customerId,
        channel: i.channel,
        direction: i.direction,
        purpose: i.purpose,
        staffId: identity.userId,
        occurredAt: i.occurredAt.toISOString(),
      },
    });
  });
  return { interaction: await ctx.loaders.interaction.load(id), userErrors: [] };
};
