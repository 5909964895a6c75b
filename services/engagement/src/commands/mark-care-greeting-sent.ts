import { runCommand, type UserError } from '@crm/service-kit';
import type { MarkCareGreetingSentInput } from '../__generated__/resolvers-types.ts';
import type { EngagementContext } from '../context.ts';
import { findGreeting, markGreetingSent } from '../db/care.store.ts';
import { hasConsent } from '../db/consent.store.ts';
import type { CareGreetingRow } from '../db/schema.ts';
import { CARE_CONSENT_PURPOSE } from '../domain/consent.ts';

export type CareGreetingResult = { greeting: CareGreetingRow | null; userErrors: UserError[] };

/** Records that a pending greeting of a customer in the caller's scope was sent (the customer must still consent). */
export async function markCareGreetingSent(ctx: EngagementContext, input: MarkCareGreetingSentInput): Promise<CareGreetingResult> {
  // Scope first, outside the transaction: a refusal is audited as FORBIDDEN by the access layer.
  const greeting = await findGreeting(ctx.db, ctx.scope, input.greetingId);
  return runCommand(
    ctx,
    { action: 'markCareGreetingSent', entityType: 'CareGreeting', entityId: input.greetingId },
    async (tx, audit): Promise<CareGreetingResult> => {
      if (!greeting)
        return { greeting: null, userErrors: [{ field: 'greetingId', code: 'GREETING_NOT_FOUND', message: `No greeting with id ${input.greetingId}` }] };
      if (greeting.status !== 'PENDING') {
        return {
          greeting: null,
          userErrors: [{ field: 'greetingId', code: 'GREETING_NOT_PENDING', message: `The greeting is ${greeting.status.toLowerCase()}` }],
        };
      }
      if (!(await hasConsent(tx, greeting.customer_id, CARE_CONSENT_PURPOSE))) {
        return { greeting: null, userErrors: [{ field: 'greetingId', code: 'CONSENT_REQUIRED', message: 'The customer no longer consents to contact' }] };
      }
      const sent = await markGreetingSent(tx, greeting.id);
      if (!sent) return { greeting: null, userErrors: [{ field: 'greetingId', code: 'GREETING_NOT_PENDING', message: 'The greeting changed meanwhile' }] };
      audit.changes({ status: greeting.status }, { status: sent.status });
      return { greeting: sent, userErrors: [] };
    },
  );
}
