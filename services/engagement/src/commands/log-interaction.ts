import { emit } from '@crm/events';
import { findIdempotentReplay, requireIdentity, runCommand, type UserError } from '@crm/service-kit';
import { v7 as uuidv7 } from 'uuid';
import type { LogInteractionInput } from '../__generated__/resolvers-types.ts';
import type { EngagementContext } from '../context.ts';
import { hasConsent } from '../db/consent.store.ts';
import { findCustomerReplica } from '../db/customer-replica.store.ts';
import { findInteractionIdByIdempotencyKey, insertInteraction } from '../db/interaction.store.ts';
import type { InteractionRow } from '../db/schema.ts';
import { requiredConsent } from '../domain/consent.ts';
import { validateInteraction } from '../domain/interactions.ts';
import { checkOutboundContact } from './check-outbound-contact.ts';
import { replayed } from './replayed.ts';

export type LogInteractionResult = { interaction: InteractionRow | null; userErrors: UserError[] };

/** Records a contact with a customer in the caller's scope; marketing and care contact needs consent. Emits InteractionLogged. */
export async function logInteraction(ctx: EngagementContext, input: LogInteractionInput): Promise<LogInteractionResult> {
  const identity = requireIdentity(ctx);
  const now = ctx.now();
  const result = validateInteraction(input, now);
  // Scope first, outside the transaction: a refusal is audited as FORBIDDEN by the access layer.
  const customer = result.ok ? await findCustomerReplica(ctx.db, ctx.scope, result.value.customerId) : undefined;
  const id = uuidv7();
  const done = await runCommand(
    ctx,
    { action: 'logInteraction', entityType: 'Interaction', entityId: id },
    async (tx, audit): Promise<{ id: string | null; userErrors: UserError[] }> => {
      // the replay check in the writing transaction: a second identical request waits, then replays
      const replay = await findIdempotentReplay(tx, 'interaction', input.idempotencyKey, (key) => findInteractionIdByIdempotencyKey(tx, key));
      if (replay) return replayed(audit, replay);
      if (!result.ok) return { id: null, userErrors: result.errors };
      const i = result.value;
      if (!customer) return { id: null, userErrors: [{ field: 'customerId', code: 'CUSTOMER_NOT_FOUND', message: `No customer with id ${i.customerId}` }] };
      const consent = requiredConsent(i.purpose);
      if (consent && !(await hasConsent(tx, i.customerId, consent))) {
        return {
          id: null,
          userErrors: [{ field: 'purpose', code: 'CONSENT_REQUIRED', message: `The customer has not consented to ${consent.toLowerCase().replace('_', ' ')}` }],
        };
      }
      // the contact rules (limits, allowed hours): a refused outbound contact needs a branch manager's override with a reason
      const rules = await checkOutboundContact(tx, identity, i, input.overrideReason);
      if (rules.userErrors.length) return { id: null, userErrors: rules.userErrors };
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
        contact_override: rules.override ? JSON.stringify(rules.override) : null,
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
      // the summary and outcome are free text: they stay out of the audit record
      audit.changes(null, { customerId: i.customerId, channel: i.channel, direction: i.direction, purpose: i.purpose, occurredAt: i.occurredAt });
      // an override of the contact rules is kept with its reason: the audit record says who allowed what, and why
      if (rules.override) audit.detail({ contactOverride: { rules: rules.override.rules, reason: rules.override.reason } });
      return { id, userErrors: [] };
    },
  );
  if (!done.id) return { interaction: null, userErrors: done.userErrors };
  return { interaction: await ctx.loaders.interaction.load(done.id), userErrors: [] };
}
